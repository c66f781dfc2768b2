"""What each enrolment costs its organisation, worked out after the session (costs.py)."""

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from enrolments.models import Attendance, CostOutcome, CostReason, Enrolment, Organisation
from enrolments.places.decisions import session_cancel
from enrolments.settlement.costs import CourseTerms, decide, session_costs_settle
from tests.factories import CourseFactory, EnrolmentFactory, LocationFactory, SessionFactory
from trainings.models import OrganisationType, Price

pytestmark = pytest.mark.django_db

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
BRUSSELS = ZoneInfo("Europe/Brussels")
NINE, TWELVE = datetime.time(9), datetime.time(12)
# A session on Tuesday 9 March 2027 (and Tuesday 16 March when it has two days).
DAY_1, DAY_2 = datetime.date(2027, 3, 9), datetime.date(2027, 3, 16)
AFTERWARDS = datetime.datetime(2027, 6, 1, 12, tzinfo=AMSTERDAM)
PRICE = Decimal("25.00")


def course_with(*, participant_price=PRICE, **condition):
    """A course with a price per participant and, given its rule fields, a condition."""
    course = CourseFactory()
    if participant_price is not None:
        Price.objects.create(
            course=course, kind=Price.Kind.PER_PARTICIPANT, amount=participant_price
        )
    if condition:
        Price.objects.create(
            course=course,
            kind=Price.Kind.FREE_UNDER_CONDITION,
            condition="Gratis voor medewerkers van bibliotheken.",
            **condition,
        )
    return course


def library_condition(**overrides):
    return {"eligible_types": [OrganisationType.LIBRARY], "eligible_country": "NL", **overrides}


def session_of(course, *dates, country="NL", **kwargs):
    return SessionFactory(
        course=course,
        days=[(date, NINE, TWELVE) for date in (dates or [DAY_1])],
        location=LocationFactory(country=country),
        **kwargs,
    )


def organisation(name="Bibliotheek Utrecht", type=OrganisationType.LIBRARY, country="NL"):
    return Organisation.objects.create(name=name, type=type, country=country)


def mark(enrolment, date, status, marked_at=None):
    day = enrolment.session.days.get(date=date)
    return Attendance.objects.create(
        enrolment=enrolment,
        day=day,
        status=status,
        marked_at=marked_at or datetime.datetime.combine(date, TWELVE, tzinfo=AMSTERDAM),
    )


def settled(enrolment, now=AFTERWARDS):
    session_costs_settle(session_id=enrolment.session_id, now=now)
    enrolment.refresh_from_db()
    return enrolment.cost_outcome, enrolment.cost_amount, enrolment.cost_reason


# -- With a "free under condition" price ------------------------------------------------------


def test_eligible_organisation_that_attended_is_free():
    organisation()
    enrolment = EnrolmentFactory(
        session=session_of(course_with(**library_condition(min_attendance=100)))
    )
    mark(enrolment, DAY_1, Attendance.Status.PRESENT)
    assert settled(enrolment) == (CostOutcome.FREE, Decimal("0"), CostReason.CONDITION_MET)


def test_eligible_organisation_without_attendance_minimum_is_free_without_attendance():
    organisation()
    enrolment = EnrolmentFactory(session=session_of(course_with(**library_condition())))
    assert settled(enrolment) == (CostOutcome.FREE, Decimal("0"), CostReason.CONDITION_MET)


def test_condition_with_an_amount_gives_the_reduced_price():
    organisation()
    enrolment = EnrolmentFactory(
        session=session_of(course_with(**library_condition(amount=Decimal("10.00"))))
    )
    assert settled(enrolment) == (
        CostOutcome.REDUCED,
        Decimal("10.00"),
        CostReason.CONDITION_MET,
    )


def test_organisation_is_matched_by_name_ignoring_case_and_spaces():
    organisation(name="Bibliotheek Utrecht")
    enrolment = EnrolmentFactory(
        session=session_of(course_with(**library_condition())),
        organisation="  bibliotheek   UTRECHT ",
    )
    assert settled(enrolment)[0] == CostOutcome.FREE


def test_attendance_below_the_minimum_is_charged_while_absence_can_be_justified():
    organisation()
    enrolment = EnrolmentFactory(
        session=session_of(
            course_with(**library_condition(min_attendance=100, justification_days=15))
        )
    )
    mark(enrolment, DAY_1, Attendance.Status.ABSENT)
    assert settled(enrolment) == (CostOutcome.CHARGED, PRICE, CostReason.BELOW_MINIMUM)
    assert enrolment.cost_open_until == datetime.date(2027, 3, 24)


def test_absence_excused_on_the_last_evening_of_the_window_is_free():
    organisation(country="BE")
    course = course_with(
        **library_condition(eligible_country="BE", min_attendance=100, justification_days=15)
    )
    enrolment = EnrolmentFactory(session=session_of(course, country="BE"))
    # 24 March 23:30 in Brussels (22:30 UTC): the last day of the window at the venue.
    mark(
        enrolment,
        DAY_1,
        Attendance.Status.EXCUSED,
        marked_at=datetime.datetime(2027, 3, 24, 23, 30, tzinfo=BRUSSELS),
    )
    assert settled(enrolment) == (CostOutcome.FREE, Decimal("0"), CostReason.JUSTIFIED_ABSENCE)


def test_absence_excused_after_the_window_is_charged():
    organisation(country="BE")
    course = course_with(
        **library_condition(eligible_country="BE", min_attendance=100, justification_days=15)
    )
    enrolment = EnrolmentFactory(session=session_of(course, country="BE"))
    # 25 March 00:30 in Brussels, still 24 March in UTC: one day too late at the venue.
    mark(
        enrolment,
        DAY_1,
        Attendance.Status.EXCUSED,
        marked_at=datetime.datetime(2027, 3, 25, 0, 30, tzinfo=BRUSSELS),
    )
    assert settled(enrolment) == (CostOutcome.CHARGED, PRICE, CostReason.BELOW_MINIMUM)
    assert enrolment.cost_open_until == datetime.date(2027, 3, 24)


def test_organisation_of_a_type_that_is_not_eligible_is_charged():
    organisation(type=OrganisationType.COMPANY)
    enrolment = EnrolmentFactory(session=session_of(course_with(**library_condition())))
    assert settled(enrolment) == (CostOutcome.CHARGED, PRICE, CostReason.NOT_ELIGIBLE)


def test_organisation_from_another_country_is_charged():
    organisation(country="BE")
    enrolment = EnrolmentFactory(session=session_of(course_with(**library_condition())))
    assert settled(enrolment) == (CostOutcome.CHARGED, PRICE, CostReason.NOT_ELIGIBLE)


def test_organisation_of_unknown_type_is_pending_when_the_condition_names_types():
    organisation(type="")
    enrolment = EnrolmentFactory(session=session_of(course_with(**library_condition())))
    assert settled(enrolment) == (CostOutcome.PENDING, None, CostReason.UNCLASSIFIED)


def test_organisation_of_unknown_country_is_pending_when_the_condition_names_a_country():
    organisation(country="")
    enrolment = EnrolmentFactory(session=session_of(course_with(**library_condition())))
    assert settled(enrolment) == (CostOutcome.PENDING, None, CostReason.UNCLASSIFIED)


def test_organisation_not_yet_known_to_advisers_is_pending():
    enrolment = EnrolmentFactory(session=session_of(course_with(**library_condition())))
    assert settled(enrolment) == (CostOutcome.PENDING, None, CostReason.UNCLASSIFIED)


def test_unknown_type_does_not_matter_when_the_condition_only_names_a_country():
    organisation(type="")
    enrolment = EnrolmentFactory(
        session=session_of(course_with(eligible_types=[], eligible_country="NL"))
    )
    assert settled(enrolment) == (CostOutcome.FREE, Decimal("0"), CostReason.CONDITION_MET)


def test_no_attendance_registered_is_pending_with_the_justification_window():
    organisation()
    enrolment = EnrolmentFactory(
        session=session_of(
            course_with(**library_condition(min_attendance=75, justification_days=15))
        )
    )
    assert settled(enrolment) == (CostOutcome.PENDING, None, CostReason.ATTENDANCE_UNKNOWN)
    assert enrolment.cost_open_until == datetime.date(2027, 3, 24)


@pytest.mark.parametrize(
    ("minimum", "outcome", "reason"),
    [
        (50, CostOutcome.FREE, CostReason.CONDITION_MET),
        (75, CostOutcome.CHARGED, CostReason.BELOW_MINIMUM),
    ],
)
def test_one_of_two_days_present_meets_50_percent_but_not_75(minimum, outcome, reason):
    organisation()
    course = course_with(**library_condition(min_attendance=minimum, justification_days=15))
    enrolment = EnrolmentFactory(session=session_of(course, DAY_1, DAY_2))
    mark(enrolment, DAY_1, Attendance.Status.PRESENT)
    mark(enrolment, DAY_2, Attendance.Status.ABSENT)
    assert settled(enrolment)[::2] == (outcome, reason)


def test_window_of_a_multi_day_session_counts_from_its_last_day():
    organisation()
    course = course_with(**library_condition(min_attendance=100, justification_days=15))
    enrolment = EnrolmentFactory(session=session_of(course, DAY_1, DAY_2))
    mark(enrolment, DAY_1, Attendance.Status.ABSENT)
    mark(enrolment, DAY_2, Attendance.Status.ABSENT)
    settled(enrolment)
    assert enrolment.cost_open_until == datetime.date(2027, 3, 31)


# -- Cancelled, waitlisted, and courses without a condition -----------------------------------


def test_late_cancellation_is_charged_the_participant_price():
    organisation()
    enrolment = EnrolmentFactory(
        session=session_of(course_with(**library_condition())),
        status=Enrolment.Status.CANCELLED,
        cancelled_late=True,
    )
    assert settled(enrolment) == (CostOutcome.CHARGED, PRICE, CostReason.LATE_CANCELLATION)


def test_cancellation_in_time_is_free():
    enrolment = EnrolmentFactory(
        session=session_of(course_with()),
        status=Enrolment.Status.CANCELLED,
        cancelled_late=False,
    )
    assert settled(enrolment) == (CostOutcome.FREE, Decimal("0"), CostReason.CANCELLED_IN_TIME)


def test_person_still_on_the_waiting_list_is_free_as_not_placed():
    session = session_of(course_with(), capacity=1)
    EnrolmentFactory(session=session)
    enrolment = EnrolmentFactory(session=session, status=Enrolment.Status.WAITLISTED)
    assert settled(enrolment) == (CostOutcome.FREE, Decimal("0"), CostReason.NOT_PLACED)


def test_course_without_a_price_per_participant_is_free():
    course = course_with(participant_price=None)
    Price.objects.create(
        course=course, kind=Price.Kind.PER_RESERVED_SESSION, amount=Decimal("450.00")
    )
    enrolment = EnrolmentFactory(session=session_of(course))
    assert settled(enrolment) == (
        CostOutcome.FREE,
        Decimal("0"),
        CostReason.NO_PARTICIPANT_PRICE,
    )


@pytest.mark.parametrize("attendance", [Attendance.Status.PRESENT, Attendance.Status.ABSENT, None])
def test_course_with_a_price_but_no_condition_charges_the_participant_price(attendance):
    enrolment = EnrolmentFactory(session=session_of(course_with()))
    if attendance:
        mark(enrolment, DAY_1, attendance)
    assert settled(enrolment) == (CostOutcome.CHARGED, PRICE, CostReason.PARTICIPANT_PRICE)


def test_decide_without_an_organisation_is_pending_when_the_condition_names_types():
    condition = Price(
        kind=Price.Kind.FREE_UNDER_CONDITION, eligible_types=[OrganisationType.LIBRARY]
    )
    decision = decide(
        enrolment=Enrolment(status=Enrolment.Status.REGISTERED),
        terms=CourseTerms(participant_price=PRICE, condition=condition),
        organisation=None,
        days=[],
        attendance={},
        last_day=DAY_1,
        tz=AMSTERDAM,
    )
    assert (decision.outcome, decision.amount, decision.reason) == (
        CostOutcome.PENDING,
        None,
        CostReason.UNCLASSIFIED,
    )


# -- When and how often it runs ---------------------------------------------------------------


def test_cancelled_session_is_left_alone():
    enrolment = EnrolmentFactory(session=session_of(course_with()))
    session_cancel(session_id=enrolment.session_id, reason="Te weinig inschrijvingen")
    assert session_costs_settle(session_id=enrolment.session_id, now=AFTERWARDS) == 0
    enrolment.refresh_from_db()
    assert (enrolment.cost_outcome, enrolment.cost_settled_at) == ("", None)


def test_session_that_has_not_ended_is_left_alone():
    enrolment = EnrolmentFactory(session=session_of(course_with(), DAY_1, DAY_2))
    between_the_days = datetime.datetime(2027, 3, 12, 12, tzinfo=AMSTERDAM)
    assert session_costs_settle(session_id=enrolment.session_id, now=between_the_days) == 0
    enrolment.refresh_from_db()
    assert (enrolment.cost_outcome, enrolment.cost_settled_at) == ("", None)


def test_settling_returns_how_many_enrolments_it_looked_at():
    session = session_of(course_with(), capacity=1)
    EnrolmentFactory(session=session)
    EnrolmentFactory(session=session, status=Enrolment.Status.WAITLISTED)
    EnrolmentFactory(session=session, status=Enrolment.Status.CANCELLED)
    assert session_costs_settle(session_id=session.pk, now=AFTERWARDS) == 3


def test_settling_twice_changes_nothing():
    organisation()
    enrolment = EnrolmentFactory(
        session=session_of(course_with(**library_condition(min_attendance=100)))
    )
    mark(enrolment, DAY_1, Attendance.Status.PRESENT)
    first = settled(enrolment, now=AFTERWARDS)
    second = settled(enrolment, now=AFTERWARDS + datetime.timedelta(days=1))
    assert second == first
    assert enrolment.cost_settled_at == AFTERWARDS


# -- Through the admin ------------------------------------------------------------------------


def test_changing_an_organisations_type_in_the_admin_decides_its_costs_again(admin_client):
    company = organisation(type=OrganisationType.COMPANY)
    session = SessionFactory(course=course_with(**library_condition()), days=[-3])
    enrolment = EnrolmentFactory(session=session)
    assert settled(enrolment, now=timezone.now()) == (
        CostOutcome.CHARGED,
        PRICE,
        CostReason.NOT_ELIGIBLE,
    )
    response = admin_client.post(
        reverse("admin:enrolments_organisation_change", args=[company.pk]),
        {"name": company.name, "type": OrganisationType.LIBRARY, "country": "NL"},
    )
    assert response.status_code == 302
    enrolment.refresh_from_db()
    assert (enrolment.cost_outcome, enrolment.cost_amount, enrolment.cost_reason) == (
        CostOutcome.FREE,
        Decimal("0"),
        CostReason.CONDITION_MET,
    )
