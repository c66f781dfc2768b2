"""A date that has passed reads as past: 'expected from' and 'guaranteed until' (issue 13, 5)."""

import datetime
import html

import pytest
from django.utils import timezone

from catalogue.languages import url_in_language
from tests.factories import CourseFactory
from trainings.models import Course, Lifecycle

pytestmark = pytest.mark.django_db


def days_from_today(days: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=days)


def page(client, course, language="nl") -> str:
    url = url_in_language(course.get_absolute_url(), language)
    return html.unescape(client.get(url).content.decode())


def month(date: datetime.date) -> str:
    from django.utils.formats import date_format

    return date_format(date, "F Y")


def test_expected_course_with_a_future_date_is_expected(client):
    future = days_from_today(40)
    course = CourseFactory(status=Lifecycle.EXPECTED, available_from=future)
    assert course.is_expected and course.arrived_from is None
    text = page(client, course)
    assert f"Verwacht vanaf {month(future)}" in text
    assert f"verwacht vanaf {month(future)}" in text


def test_expected_course_whose_date_passed_reads_as_available_since(client):
    past = days_from_today(-40)
    course = CourseFactory(status=Lifecycle.EXPECTED, available_from=past)
    assert not course.is_expected and course.arrived_from == past
    text = page(client, course)
    assert "erwacht vanaf" not in text
    assert f"beschikbaar sinds {month(past)}" in text


def test_expected_from_today_has_arrived():
    course = CourseFactory.build(status=Lifecycle.EXPECTED, available_from=days_from_today(0))
    assert not course.is_expected


def test_expected_without_a_date_stays_expected():
    assert CourseFactory.build(status=Lifecycle.EXPECTED, available_from=None).is_expected


def test_guarantee_until_a_future_date_is_shown_as_a_guarantee(client):
    until = days_from_today(30)
    course = CourseFactory(guaranteed_until=until)
    assert not course.guarantee_has_passed
    text = page(client, course)
    assert "gegarandeerd tot" in text and "niet meer gegarandeerd" not in text


def test_guarantee_that_ran_out_reads_as_past(client):
    course = CourseFactory(guaranteed_until=days_from_today(-1))
    assert course.guarantee_has_passed
    text = page(client, course)
    assert "niet meer gegarandeerd: de garantie liep tot" in text


def test_guarantee_until_today_still_holds():
    assert not CourseFactory.build(guaranteed_until=days_from_today(0)).guarantee_has_passed


def test_seed_dates_that_passed_read_as_past(client, catalogue):
    brussels = Course.objects.get(slug="digitale-ongelijkheden-overheidsdiensten")
    assert "niet meer gegarandeerd: de garantie liep tot 31 december 2022" in page(client, brussels)
    mee = Course.objects.get(slug="omgaan-met-lvb-en-psychisch-kwetsbaren")
    text = page(client, mee)
    assert "Verwacht vanaf januari 2024" not in text
    assert "beschikbaar sinds januari 2024" in text


def test_english_says_the_guarantee_ran_out(client):
    course = CourseFactory(guaranteed_until=datetime.date(2022, 12, 31))
    assert "no longer guaranteed: the guarantee ran until 31 December 2022" in page(
        client, course, "en"
    )
