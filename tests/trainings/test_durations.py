"""A course's duration is Dutch free text; English pages show it in English where understood."""

import pytest
from django.utils import translation

from trainings.durations import duration_html, localise_duration


@pytest.fixture
def english():
    with translation.override("en"):
        yield


@pytest.mark.parametrize(
    ("typed", "shown"),
    [
        ("3 uur", "3 hours"),
        ("1 uur", "1 hour"),
        ("2 dagen", "2 days"),
        ("1 dag", "1 day"),
        ("2 lesdagen", "2 training days"),
        ("één dagdeel", "1 half-day"),
        ("een dagdeel", "1 half-day"),
        ("2 dagdelen", "2 half-days"),
        ("90 minuten", "90 minutes"),
        ("6 weken", "6 weeks"),
        ("1 week", "1 week"),
        ("drie sessies", "3 sessions"),
        ("1,5 uur", "1.5 hours"),
        ("anderhalf uur", "1.5 hours"),
        ("  3 Uur ", "3 hours"),
        ("2 dagen en 3 uur", "2 days and 3 hours"),
        ("4 avonden, 2 uur", "4 evenings and 2 hours"),
        ("1 dag + 2 uur + 30 minuten", "1 day, 2 hours and 30 minutes"),
    ],
)
def test_understood_durations_are_translated(english, typed, shown):
    duration = localise_duration(typed)
    assert duration.text == shown
    assert duration.translated
    assert duration_html(typed) == shown


@pytest.mark.parametrize(
    "typed", ["in eigen tempo", "3 à 4 uur", "2 dagen en een terugkomdag", "0 uur", "3 kwartier"]
)
def test_other_text_stays_dutch_and_is_marked_dutch(english, typed):
    duration = localise_duration(typed)
    assert duration.text == typed
    assert not duration.translated
    assert duration_html(typed) == f'<span lang="nl">{typed}</span>'


def test_html_in_typed_text_is_escaped(english):
    assert duration_html("<b>lang</b>") == '<span lang="nl">&lt;b&gt;lang&lt;/b&gt;</span>'


@pytest.mark.parametrize("typed", ["3 uur", "één dagdeel", "in eigen tempo"])
def test_dutch_pages_show_the_text_as_typed_without_a_lang_attribute(typed):
    with translation.override("nl"):
        assert localise_duration(typed).text == typed
        assert duration_html(typed) == typed


def test_empty_duration_is_empty(english):
    assert localise_duration("").text == ""
    assert localise_duration(None).text == ""
