"""`manage.py settle_costs` settles the sessions that ended within the last days."""

import io

import pytest
from django.core.management import call_command

from enrolments.models import CostOutcome, CostReason
from tests.factories import EnrolmentFactory, PriceFactory, SessionFactory

pytestmark = pytest.mark.django_db


def ended(days_ago: int):
    session = SessionFactory(days=[-days_ago])
    PriceFactory(course=session.course, amount="25.00")
    return EnrolmentFactory(session=session)


def settle(*args) -> str:
    out = io.StringIO()
    call_command("settle_costs", *args, stdout=out)
    return out.getvalue().strip()


def test_settle_costs_settles_a_session_that_ended_lately():
    enrolment = ended(10)
    settle()
    enrolment.refresh_from_db()
    assert (enrolment.cost_outcome, enrolment.cost_reason) == (
        CostOutcome.CHARGED,
        CostReason.PARTICIPANT_PRICE,
    )
    assert enrolment.cost_settled_at is not None


def test_settle_costs_leaves_sessions_older_than_the_window_alone():
    old = ended(200)
    settle()
    old.refresh_from_db()
    assert (old.cost_outcome, old.cost_settled_at) == ("", None)


def test_settle_costs_days_widens_the_window():
    old = ended(200)
    settle("--days", "365")
    old.refresh_from_db()
    assert old.cost_outcome == CostOutcome.CHARGED


def test_settle_costs_leaves_upcoming_sessions_alone():
    upcoming = EnrolmentFactory(session=SessionFactory(days=[10]))
    settle()
    upcoming.refresh_from_db()
    assert upcoming.cost_settled_at is None


def test_settle_costs_reports_enrolments_and_sessions():
    ended(10)
    ended(20)
    assert settle() == "Kosten bepaald voor 2 inschrijvingen in 2 sessies."
