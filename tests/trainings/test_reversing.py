"""reverse_one gives what reverse() gives, for every name the pages build it for."""

import datetime

import pytest
from django.test import override_settings
from django.urls import NoReverseMatch, reverse, set_script_prefix
from django.utils import formats, translation

from catalogue.public import session_lines
from trainings.reversing import reverse_one

WITH_ONE_ARGUMENT = [
    ("catalogue:course-detail", ["basiscursus-digitale-overheid", "a", "x_1-2", "123"]),
    ("catalogue:profile-detail", ["bibliotheekmedewerker"]),
    ("catalogue:path-detail", ["leerlijn-1"]),
    ("catalogue:session-calendar", [1, 42, 987654321, 10**12]),
    ("enrolments:enrol", [7, 0]),
    ("enrolments:group-enrol", [7]),
    ("site:language", ["nl", "fr", "en"]),  # {% page_url %} in base.html
    ("enrolments:interest", ["basiscursus-digitale-overheid"]),  # and on the course page
    ("enrolments:request", ["basiscursus-digitale-overheid"]),
]
WITHOUT = ["catalogue:course-list", "catalogue:home", "catalogue:privacy", "catalogue:calendar"]


@pytest.mark.parametrize("language", ["nl", "fr", "en"])
def test_the_same_address_as_reverse_in_each_language(language):
    with translation.override(language):
        for name, values in WITH_ONE_ARGUMENT:
            for value in values:
                assert reverse_one(name, value) == reverse(name, args=[value])
        for name in WITHOUT:
            assert reverse_one(name) == reverse(name)


def test_languages_do_not_mix():
    with translation.override("fr"):
        french = reverse_one("enrolments:enrol", 5)
    with translation.override("nl"):
        dutch = reverse_one("enrolments:enrol", 5)
    assert french.startswith("/fr/")
    assert dutch == "/sessies/5/inschrijven/"


def test_a_script_prefix_counts():
    try:
        set_script_prefix("/catalogus/")
        assert reverse_one("catalogue:course-detail", "abc") == "/catalogus/trainingen/abc/"
    finally:
        set_script_prefix("/")
    assert reverse_one("catalogue:course-detail", "abc") == "/trainingen/abc/"


def test_other_arguments_go_to_reverse_itself():
    # Not a slug: reverse() refuses it, as before.
    with pytest.raises(NoReverseMatch):
        reverse_one("catalogue:course-detail", "met spatie")
    with pytest.raises(NoReverseMatch):
        reverse_one("enrolments:enrol", -1)
    with pytest.raises(NoReverseMatch):
        reverse_one("no-such-name", 3)
    # An id written as text, as reverse() takes it too.
    assert reverse_one("enrolments:enrol", "12") == reverse("enrolments:enrol", args=["12"])


def test_another_url_configuration_is_its_own():
    # Outside a request too: reverse() then reads ROOT_URLCONF, and so does reverse_one.
    assert reverse_one("catalogue:course-detail", "abc") == "/trainingen/abc/"
    with override_settings(ROOT_URLCONF="tests.trainings.other_urls"):
        assert reverse_one("catalogue:course-detail", "abc") == "/elders/abc/"
        assert reverse_one("catalogue:course-list") == "/elders/"
    assert reverse_one("catalogue:course-detail", "abc") == "/trainingen/abc/"


@pytest.mark.parametrize("language", ["nl", "fr", "en"])
def test_session_line_dates_as_django_formats_them(language):
    day = datetime.date(2027, 3, 4)
    start = datetime.time(9, 5)
    moment = datetime.datetime(2027, 3, 4, 9, 5, tzinfo=datetime.UTC)
    with translation.override(language):
        for _ in range(2):  # the second time from the cache
            assert session_lines._date(day, "l j F Y") == formats.date_format(day, "l j F Y")
            assert session_lines._date(day, "Y-m-d") == "2027-03-04"
            assert session_lines._time(start) == "09:05"
            assert session_lines._date(moment, "j F Y") == formats.date_format(moment, "j F Y")
    assert session_lines._date(None, "j F Y") == ""
    assert session_lines._time(None) == ""


def test_month_names_follow_the_language():
    day = datetime.date(2027, 3, 4)
    with translation.override("fr"):
        assert "mars" in session_lines._date(day, "j F Y")
    with translation.override("nl"):
        assert "maart" in session_lines._date(day, "j F Y")
