"""Cancellation terms: working days per country and the deadline of a session."""

import datetime
from zoneinfo import ZoneInfo

import pytest

from tests.factories import CourseFactory, LocationFactory, ProviderFactory, SessionFactory
from trainings.terms import is_working_day, working_days_before

UTC = datetime.UTC
NINE, TWELVE = datetime.time(9), datetime.time(12)


def session_on(*dates, country="NL", **kwargs):
    """A session on the given dates, 9:00–12:00 at a venue in `country`."""
    return SessionFactory(
        days=[(date, NINE, TWELVE) for date in dates],
        location=LocationFactory(country=country),
        **kwargs,
    )


# -- Working days ---------------------------------------------------------------------------


@pytest.mark.parametrize("country", ["NL", "BE"])
def test_saturday_and_sunday_are_not_working_days(country):
    assert not is_working_day(datetime.date(2027, 6, 5), country)
    assert not is_working_day(datetime.date(2027, 6, 6), country)
    assert is_working_day(datetime.date(2027, 6, 7), country)


@pytest.mark.parametrize("country", ["NL", "BE"])
def test_one_working_day_before_a_monday_is_the_friday(country):
    assert working_days_before(datetime.date(2027, 6, 7), 1, country) == datetime.date(2027, 6, 4)


@pytest.mark.parametrize("country", ["NL", "BE"])
def test_counting_back_continues_over_the_weekend(country):
    # Tuesday 8 June 2027, three working days back: Mon 7, Fri 4, Thu 3.
    assert working_days_before(datetime.date(2027, 6, 8), 3, country) == datetime.date(2027, 6, 3)


def test_two_working_days_before_a_thursday_is_the_tuesday():
    assert working_days_before(datetime.date(2027, 6, 10), 2, "NL") == datetime.date(2027, 6, 8)


def test_zero_working_days_before_a_day_is_that_day():
    assert working_days_before(datetime.date(2027, 6, 10), 0, "BE") == datetime.date(2027, 6, 10)


@pytest.mark.parametrize("country", ["NL", "BE"])
def test_counting_back_crosses_new_year_and_skips_new_years_day(country):
    # Monday 4 January 2027; Friday 1 January is New Year's Day.
    assert working_days_before(datetime.date(2027, 1, 4), 1, country) == datetime.date(2026, 12, 31)


@pytest.mark.parametrize("country", ["NL", "BE"])
def test_easter_monday_2027_is_not_a_working_day(country):
    assert not is_working_day(datetime.date(2027, 3, 29), country)


def test_counting_back_skips_easter_monday_2027():
    # Belgium, where Good Friday is a working day: Tuesday 30 March → Friday 26 March.
    assert working_days_before(datetime.date(2027, 3, 30), 1, "BE") == datetime.date(2027, 3, 26)


@pytest.mark.parametrize(("country", "working"), [("BE", False), ("NL", True)])
def test_21_july_2027_is_a_holiday_in_belgium_only(country, working):
    assert is_working_day(datetime.date(2027, 7, 21), country) is working


@pytest.mark.parametrize(
    ("country", "expected"),
    [("BE", datetime.date(2027, 7, 20)), ("NL", datetime.date(2027, 7, 21))],
)
def test_counting_back_over_21_july_2027_depends_on_the_country(country, expected):
    assert working_days_before(datetime.date(2027, 7, 22), 1, country) == expected


@pytest.mark.parametrize(("country", "working"), [("NL", False), ("BE", True)])
def test_kings_day_2027_is_a_holiday_in_the_netherlands_only(country, working):
    assert is_working_day(datetime.date(2027, 4, 27), country) is working


@pytest.mark.parametrize(
    ("country", "expected"),
    [("NL", datetime.date(2027, 4, 26)), ("BE", datetime.date(2027, 4, 27))],
)
def test_counting_back_over_kings_day_2027_depends_on_the_country(country, expected):
    assert working_days_before(datetime.date(2027, 4, 28), 1, country) == expected


# -- The term of a session --------------------------------------------------------------------


@pytest.mark.django_db
def test_course_term_comes_before_the_providers():
    session = session_on(
        datetime.date(2027, 6, 10),
        course=CourseFactory(
            free_cancellation_working_days=3,
            contact_provider=ProviderFactory(free_cancellation_working_days=7),
        ),
        organiser=ProviderFactory(free_cancellation_working_days=5),
    )
    assert session.free_cancellation_working_days == 3


@pytest.mark.django_db
def test_organiser_term_applies_when_the_course_has_none():
    session = session_on(
        datetime.date(2027, 6, 10),
        course=CourseFactory(contact_provider=ProviderFactory(free_cancellation_working_days=7)),
        organiser=ProviderFactory(free_cancellation_working_days=5),
    )
    assert session.free_cancellation_working_days == 5


@pytest.mark.django_db
def test_contact_provider_term_applies_when_the_session_has_no_organiser():
    session = session_on(
        datetime.date(2027, 6, 10),
        course=CourseFactory(contact_provider=ProviderFactory(free_cancellation_working_days=7)),
    )
    assert session.free_cancellation_working_days == 7


@pytest.mark.django_db
def test_contact_provider_term_applies_when_the_organiser_has_none(settings):
    settings.FREE_CANCELLATION_WORKING_DAYS = 10
    session = session_on(
        datetime.date(2027, 6, 10),
        course=CourseFactory(contact_provider=ProviderFactory(free_cancellation_working_days=7)),
        organiser=ProviderFactory(free_cancellation_working_days=None),
    )
    assert session.free_cancellation_working_days == 7


@pytest.mark.django_db
def test_catalogue_term_applies_when_course_and_providers_have_none(settings):
    settings.FREE_CANCELLATION_WORKING_DAYS = 4
    session = session_on(
        datetime.date(2027, 6, 10),
        course=CourseFactory(contact_provider=ProviderFactory()),
        organiser=ProviderFactory(),
    )
    assert session.free_cancellation_working_days == 4


@pytest.mark.django_db
def test_catalogue_term_is_ten_working_days_unless_configured():
    session = session_on(datetime.date(2027, 6, 10))
    assert session.free_cancellation_working_days == 10


@pytest.mark.django_db
def test_course_term_of_zero_is_not_replaced_by_the_organisers():
    session = session_on(
        datetime.date(2027, 6, 10),
        course=CourseFactory(free_cancellation_working_days=0),
        organiser=ProviderFactory(free_cancellation_working_days=5),
    )
    assert session.free_cancellation_working_days == 0


@pytest.mark.django_db
def test_provider_term_of_zero_is_not_replaced_by_the_catalogues(settings):
    settings.FREE_CANCELLATION_WORKING_DAYS = 10
    session = session_on(
        datetime.date(2027, 6, 10), organiser=ProviderFactory(free_cancellation_working_days=0)
    )
    assert session.free_cancellation_working_days == 0


@pytest.mark.django_db
def test_term_of_zero_allows_free_cancellation_up_to_the_first_day():
    session = session_on(
        datetime.date(2027, 6, 10), course=CourseFactory(free_cancellation_working_days=0)
    )
    assert session.free_cancellation_until == datetime.date(2027, 6, 10)


# -- The deadline of a session ----------------------------------------------------------------


@pytest.mark.django_db
def test_deadline_is_counted_back_from_the_first_session_day():
    session = session_on(
        datetime.date(2027, 6, 10),
        datetime.date(2027, 6, 17),
        course=CourseFactory(free_cancellation_working_days=2),
    )
    assert session.free_cancellation_until == datetime.date(2027, 6, 8)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("country", "expected"),
    [("BE", datetime.date(2027, 7, 20)), ("NL", datetime.date(2027, 7, 21))],
)
def test_venue_country_decides_which_holidays_count(country, expected):
    session = session_on(
        datetime.date(2027, 7, 22),
        country=country,
        course=CourseFactory(free_cancellation_working_days=1),
    )
    assert session.free_cancellation_until == expected


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("country", "expected"),
    # Ten working days before Friday 23 July 2027; Belgium skips 21 July, the Netherlands not.
    [("BE", datetime.date(2027, 7, 8)), ("NL", datetime.date(2027, 7, 9))],
)
def test_catalogue_term_of_ten_working_days_skips_the_venue_countrys_holidays(
    settings, country, expected
):
    settings.FREE_CANCELLATION_WORKING_DAYS = 10
    session = session_on(datetime.date(2027, 7, 23), country=country)
    assert session.free_cancellation_until == expected


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("country", "expected"),
    [("NL", datetime.date(2027, 4, 26)), ("BE", datetime.date(2027, 4, 27))],
)
def test_kings_day_moves_the_deadline_of_a_dutch_session_only(country, expected):
    session = session_on(
        datetime.date(2027, 4, 28),
        country=country,
        course=CourseFactory(free_cancellation_working_days=1),
    )
    assert session.free_cancellation_until == expected


@pytest.mark.django_db
def test_session_without_days_has_no_deadline():
    session = SessionFactory(days=[])
    assert session.free_cancellation_until is None
    assert not session.is_late_cancellation(datetime.datetime(2027, 6, 1, tzinfo=UTC))


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("country", "zone"), [("NL", "Europe/Amsterdam"), ("BE", "Europe/Brussels")]
)
def test_cancelling_late_in_the_evening_of_the_deadline_is_in_time(country, zone):
    session = session_on(
        datetime.date(2027, 6, 10),
        country=country,
        course=CourseFactory(free_cancellation_working_days=2),
    )
    # Tuesday 8 June, 23:59 at the venue is 21:59 UTC.
    moment = datetime.datetime(2027, 6, 8, 23, 59, tzinfo=ZoneInfo(zone)).astimezone(UTC)
    assert not session.is_late_cancellation(moment)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("country", "zone"), [("NL", "Europe/Amsterdam"), ("BE", "Europe/Brussels")]
)
def test_cancelling_just_after_midnight_after_the_deadline_is_late(country, zone):
    session = session_on(
        datetime.date(2027, 6, 10),
        country=country,
        course=CourseFactory(free_cancellation_working_days=2),
    )
    # Wednesday 9 June, 00:01 at the venue is still Tuesday 8 June in UTC.
    moment = datetime.datetime(2027, 6, 9, 0, 1, tzinfo=ZoneInfo(zone)).astimezone(UTC)
    assert session.is_late_cancellation(moment)


@pytest.mark.django_db
def test_cancelling_well_before_the_deadline_is_in_time():
    session = session_on(
        datetime.date(2027, 6, 10), course=CourseFactory(free_cancellation_working_days=2)
    )
    assert not session.is_late_cancellation(datetime.datetime(2027, 5, 1, 12, tzinfo=UTC))


def test_in_the_netherlands_good_friday_is_a_working_day_and_5_may_is_not():
    assert is_working_day(datetime.date(2027, 3, 26), "NL")  # Good Friday
    assert not is_working_day(datetime.date(2027, 5, 5), "NL")  # Liberation Day, every year
    assert is_working_day(datetime.date(2027, 5, 5), "BE")
    # One working day before Tuesday 30 March 2027 (after Easter Monday) is Good Friday.
    assert working_days_before(datetime.date(2027, 3, 30), 1, "NL") == datetime.date(2027, 3, 26)
