"""The factories place people by the rules: a test cannot overbook a session unnoticed."""

import pytest
from django.core import mail

from enrolments.models import Enrolment, EnrolmentEvent, QueuedEmail
from tests.factories import (
    AttendanceFactory,
    EnrolmentFactory,
    EnrolmentGroupFactory,
    InterestFactory,
    OrganisationFactory,
    QueuedEmailFactory,
    RawEnrolmentFactory,
    SessionFactory,
    SessionRequestFactory,
)

pytestmark = pytest.mark.django_db


def test_enrolment_factory_refuses_to_overbook():
    session = SessionFactory(capacity=1)
    EnrolmentFactory(session=session)
    with pytest.raises(ValueError, match="waiting list only when the session is full"):
        EnrolmentFactory(session=session)
    assert session.enrolments.count() == 1  # the refused one is not kept


def test_enrolment_factory_refuses_a_waiting_list_beside_free_places():
    with pytest.raises(ValueError):
        EnrolmentFactory(session=SessionFactory(capacity=2), status=Enrolment.Status.WAITLISTED)


def test_enrolment_factory_cancels_through_the_service():
    cancelled = EnrolmentFactory(status=Enrolment.Status.CANCELLED)
    assert cancelled.status == Enrolment.Status.CANCELLED and cancelled.cancelled_at
    assert not cancelled.cancelled_late
    kinds = EnrolmentEvent.objects.filter(enrolment=cancelled).values_list("kind", flat=True)
    assert sorted(kinds) == sorted([EnrolmentEvent.Kind.CREATED, EnrolmentEvent.Kind.CANCELLED])


def test_enrolment_factory_cancelled_late_cancels_on_the_first_day():
    enrolment = EnrolmentFactory(status="cancelled", cancelled_late=True)
    assert enrolment.cancelled_late


def test_enrolment_factory_enrols_before_a_session_that_started():
    session = SessionFactory(days=[-3])
    enrolment = EnrolmentFactory(session=session)
    assert enrolment.created_at < session.starts_at


def test_enrolment_factory_leaves_no_mail_behind():
    EnrolmentFactory(status="cancelled")
    assert QueuedEmail.objects.count() == 0 and mail.outbox == []


def test_raw_enrolment_factory_writes_what_it_is_given():
    enrolment = RawEnrolmentFactory(
        session=SessionFactory(capacity=5), status=Enrolment.Status.WAITLISTED
    )
    assert enrolment.status == Enrolment.Status.WAITLISTED


def test_the_other_factories_make_valid_rows():
    attendance = AttendanceFactory()
    assert attendance.day.session == attendance.enrolment.session
    assert OrganisationFactory(name="Bibliotheek Gouda").key == "bibliotheek gouda"
    assert InterestFactory().consent_at
    assert SessionRequestFactory().participants == 8
    assert EnrolmentGroupFactory(people=[{"email": "a@x.org"}]).size == 1
    assert QueuedEmailFactory().status == QueuedEmail.Status.PENDING
