"""The nine rules, through the service layer."""

import datetime
from unittest import mock

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import transaction
from django.db.transaction import TransactionManagementError
from django.utils import timezone

from enrolments.models import Enrolment, Interest, QueuedEmail
from enrolments.places import decisions, services
from enrolments.places.interest import interest_notify, interest_register, session_request_create
from tests.factories import CourseFactory, EnrolmentFactory, SessionFactory
from tests.outbox import rendered
from trainings.models import Session

pytestmark = pytest.mark.django_db

R, W, C = "registered", "waitlisted", "cancelled"


def enrol(session, email, organisation="Bibliotheek Utrecht", **kwargs):
    return services.enrolment_create(
        session_id=session.pk,
        first_name=kwargs.pop("first_name", "Anna"),
        last_name=kwargs.pop("last_name", "Jansen"),
        email=email,
        organisation=organisation,
        **kwargs,
    )


def statuses(session) -> list[str]:
    return list(session.enrolments.order_by("created_at", "pk").values_list("status", flat=True))


# Rule 1: capacity and waiting list ------------------------------------------------------------


def test_registered_while_places_are_free_then_waitlisted_with_position():
    session = SessionFactory(capacity=2)
    results = [enrol(session, f"p{i}@example.org") for i in range(4)]
    assert [r.outcome for r in results] == [
        services.Outcome(R),
        services.Outcome(R),
        services.Outcome(W, 1),
        services.Outcome(W, 2),
    ]
    assert statuses(session) == [R, R, W, W]
    assert results[3].enrolment.get_waitlist_position() == 2


# Rule 2: per-organisation cap ------------------------------------------------------------------


def test_organisation_cap_waitlists_further_people_of_that_organisation():
    session = SessionFactory(capacity=10, max_per_organisation=2)
    enrol(session, "a@example.org", "Bibliotheek Utrecht")
    enrol(session, "b@example.org", "bibliotheek  UTRECHT ")
    third = enrol(session, "c@example.org", "Bibliotheek utrecht")
    other = enrol(session, "d@example.org", "Bibliotheek Zwolle")
    assert third.outcome == services.Outcome(W, 1)
    assert other.outcome.status == R


# Reserved sessions ----------------------------------------------------------------------------


def test_reserved_session_only_for_its_organisation_or_with_the_code():
    session = SessionFactory(reserved_for="Bibliotheek De Waarden", invitation_code="PARTNER-7")
    with pytest.raises(services.ReservedSession) as error:
        enrol(session, "x@example.org", "Bibliotheek Zwolle")
    assert "gereserveerd voor één organisatie" in error.value.message
    assert "De Waarden" not in error.value.message
    assert enrol(session, "a@example.org", "bibliotheek de waarden").created
    assert enrol(session, "b@example.org", "Gemeente X", invitation_code=" partner-7 ").created
    assert session.enrolments.count() == 2


# Rule 5: deadline, cancelled, started -----------------------------------------------------------


def test_no_public_enrolment_after_the_deadline_but_the_adviser_can():
    session = SessionFactory(registration_deadline=timezone.now() - datetime.timedelta(hours=1))
    with pytest.raises(services.RegistrationClosed) as error:
        enrol(session, "a@example.org")
    assert "gesloten sinds" in error.value.message
    assert enrol(session, "a@example.org", public=False).created


def test_no_enrolment_in_a_cancelled_session():
    session = SessionFactory(status=Session.Status.CANCELLED)
    with pytest.raises(services.SessionCancelled):
        enrol(session, "a@example.org")
    with pytest.raises(services.SessionCancelled):
        enrol(session, "a@example.org", public=False)


def test_no_enrolment_in_a_session_that_has_started():
    session = SessionFactory(days=[-1])
    with pytest.raises(services.SessionStarted):
        enrol(session, "a@example.org", public=False)


# Rule 6: duplicates -------------------------------------------------------------------------


def test_second_public_attempt_creates_nothing_and_reveals_nothing():
    session = SessionFactory(capacity=1)
    first = enrol(session, "anna@example.org")
    again = enrol(session, "ANNA@example.org ")
    assert again.enrolment is None
    # The outcome is what a new person would get now, so it gives nothing away.
    assert again.outcome == services.Outcome(W, 1)
    assert session.enrolments.count() == 1
    assert first.enrolment.status == R


def test_second_attempt_mails_the_existing_enrolment_but_not_after_a_double_click():
    session = SessionFactory()
    first = enrol(session, "anna@example.org").enrolment
    enrol(session, "anna@example.org")  # a double click: no second mail
    # Rendered and stored like any mail (the same work as a new enrolment), but not sent.
    assert list(QueuedEmail.objects.filter(kind="already_enrolled").values_list("status")) == [
        ("suppressed",)
    ]
    Enrolment.objects.filter(pk=first.pk).update(
        created_at=timezone.now() - datetime.timedelta(hours=1)
    )
    enrol(session, "anna@example.org")
    enrol(session, "anna@example.org")  # and not over and over
    sent = QueuedEmail.objects.filter(kind="already_enrolled").exclude(status="suppressed")
    assert sent.count() == 1
    assert sent.get().to == "anna@example.org"
    assert "/inschrijving/" in rendered(sent.get()).body_text


def test_duplicate_from_the_admin_is_an_error():
    session = SessionFactory()
    enrol(session, "anna@example.org", public=False)
    with pytest.raises(services.AlreadyEnrolled):
        enrol(session, "Anna@Example.org", public=False)


def test_an_address_with_pattern_characters_is_not_a_duplicate_of_a_lookalike():
    # "_" and "%" are wildcards in SQL patterns: the duplicate check compares addresses.
    session = SessionFactory(capacity=5)
    enrol(session, "jan_de@example.org", public=False)
    enrol(session, "janXde@example.org", public=False)
    enrol(session, "100%bieb@example.org", public=False)
    enrol(session, "100xxbieb@example.org", public=False)
    assert session.enrolments.count() == 4
    with pytest.raises(services.AlreadyEnrolled):
        enrol(session, "JAN_DE@example.org", public=False)


def test_cancelled_person_can_enrol_again():
    session = SessionFactory()
    first = enrol(session, "anna@example.org").enrolment
    services.enrolment_cancel(enrolment_id=first.pk)
    assert enrol(session, "anna@example.org").created


# Rules 3 and 7: cancelling keeps the row and promotes ------------------------------------------


def test_cancel_keeps_who_when_why_and_promotes_the_first_waitlisted(django_user_model):
    adviser = django_user_model.objects.create_user("adviseur")
    session = SessionFactory(capacity=1)
    first = enrol(session, "a@example.org").enrolment
    second = enrol(session, "b@example.org").enrolment
    third = enrol(session, "c@example.org").enrolment
    services.enrolment_cancel(enrolment_id=first.pk, reason="Ziek", by_user=adviser)
    first.refresh_from_db()
    assert (first.status, first.cancellation_reason, first.cancelled_by) == (C, "Ziek", adviser)
    assert first.cancelled_at is not None
    second.refresh_from_db()
    third.refresh_from_db()
    assert (second.status, third.status) == (R, W)
    assert second.promoted_at is not None
    assert third.get_waitlist_position() == 1
    assert QueuedEmail.objects.filter(kind="promoted", enrolment=second).exists()
    assert Enrolment.objects.count() == 3


def test_cancelling_twice_promotes_once():
    session = SessionFactory(capacity=1)
    first = enrol(session, "a@example.org").enrolment
    enrol(session, "b@example.org")
    enrol(session, "c@example.org")
    services.enrolment_cancel(enrolment_id=first.pk)
    services.enrolment_cancel(enrolment_id=first.pk)
    assert statuses(session) == [C, R, W]


def test_cancelling_a_waitlisted_person_promotes_nobody():
    session = SessionFactory(capacity=1)
    enrol(session, "a@example.org")
    waiting = enrol(session, "b@example.org").enrolment
    enrol(session, "c@example.org")
    services.enrolment_cancel(enrolment_id=waiting.pk)
    assert statuses(session) == [R, C, W]


def test_promotion_skips_people_whose_organisation_is_at_its_cap():
    session = SessionFactory(capacity=2, max_per_organisation=1)
    leaving = enrol(session, "a@example.org", "Bieb Oost").enrolment
    enrol(session, "b@example.org", "Bieb West")
    capped = enrol(session, "c@example.org", "Bieb West").enrolment  # waits: Bieb West at cap
    fits = enrol(session, "d@example.org", "Bieb Noord").enrolment  # waits: session full
    services.enrolment_cancel(enrolment_id=leaving.pk)
    capped.refresh_from_db()
    fits.refresh_from_db()
    assert (capped.status, fits.status) == (W, R)
    assert capped.get_waitlist_position() == 1


def test_self_service_cancel_refused_once_the_session_started():
    session = SessionFactory(days=[3])
    enrolment = enrol(session, "a@example.org").enrolment
    Session.objects.filter(pk=session.pk).update(
        starts_at=timezone.now() - datetime.timedelta(minutes=5)
    )
    with pytest.raises(services.SessionStarted):
        services.enrolment_cancel(enrolment_id=enrolment.pk, self_service=True)


# Capacity changes ------------------------------------------------------------------------------


def test_capacity_cannot_drop_below_the_registrations():
    session = SessionFactory(capacity=3)
    for i in range(3):
        enrol(session, f"p{i}@example.org")
    with pytest.raises(services.LimitTooLow) as error:
        decisions.session_check_limits(session_id=session.pk, capacity=2, max_per_organisation=None)
    assert "al 3 deelnemers" in error.value.message
    decisions.session_check_limits(session_id=session.pk, capacity=3, max_per_organisation=None)


def test_organisation_cap_cannot_drop_below_an_organisations_registrations():
    session = SessionFactory(capacity=10)
    for i in range(3):
        enrol(session, f"p{i}@example.org", "Bieb Oost")
    with pytest.raises(services.LimitTooLow) as error:
        decisions.session_check_limits(session_id=session.pk, capacity=10, max_per_organisation=2)
    assert "Bieb Oost heeft al 3" in error.value.message


def test_raising_capacity_promotes_from_the_waiting_list():
    session = SessionFactory(capacity=1)
    for i in range(4):
        enrol(session, f"p{i}@example.org")
    Session.objects.filter(pk=session.pk).update(capacity=3)
    promoted = services.waitlist_promote(session_id=session.pk)
    assert len(promoted) == 2
    assert statuses(session) == [R, R, R, W]


# Rule 4: minimum registrations -----------------------------------------------------------------


def past_deadline_session(**kwargs) -> Session:
    return SessionFactory(
        registration_deadline=timezone.now() - datetime.timedelta(minutes=1), **kwargs
    )


def test_decide_confirms_with_enough_registrations_and_tells_everyone():
    session = past_deadline_session(capacity=2, min_participants=2)
    for i in range(3):
        EnrolmentFactory(session=session, status=R if i < 2 else W)
    assert decisions.session_decide(session_id=session.pk) == "confirmed"
    session.refresh_from_db()
    assert session.status == "confirmed" and session.decided_at is not None
    assert QueuedEmail.objects.filter(kind="session_confirmed").count() == 3


def test_decide_cancels_without_enough_registrations_and_tells_everyone():
    session = past_deadline_session(capacity=10, min_participants=4)
    EnrolmentFactory(session=session)
    assert decisions.session_decide(session_id=session.pk) == "cancelled"
    session.refresh_from_db()
    assert session.status == "cancelled"
    assert "minimaal 4" in session.cancellation_reason
    mail_ = QueuedEmail.objects.get(kind="session_cancelled")
    assert "minimaal 4" in rendered(mail_).body_text


def test_decide_is_idempotent_and_waits_for_the_deadline():
    early = SessionFactory(min_participants=1)
    assert decisions.session_decide(session_id=early.pk) is None
    session = past_deadline_session(min_participants=0)
    assert decisions.session_decide(session_id=session.pk) == "confirmed"
    assert decisions.session_decide(session_id=session.pk) is None
    assert QueuedEmail.objects.filter(kind="session_confirmed").count() == 0  # nobody enrolled


def test_decide_leaves_a_session_alone_once_an_adviser_decided():
    session = past_deadline_session(min_participants=5, status=Session.Status.CONFIRMED)
    assert decisions.session_decide(session_id=session.pk) is None
    session.refresh_from_db()
    assert session.status == "confirmed"


def test_adviser_confirms_and_cancels_by_hand():
    session = SessionFactory(min_participants=5)
    EnrolmentFactory(session=session)
    assert decisions.session_confirm(session_id=session.pk) is True
    assert decisions.session_confirm(session_id=session.pk) is False
    assert decisions.session_cancel(session_id=session.pk, reason="Trainer ziek") is True
    assert decisions.session_cancel(session_id=session.pk, reason="nogmaals") is False
    with pytest.raises(services.DecisionNotAllowed):
        decisions.session_confirm(session_id=session.pk)
    session.refresh_from_db()
    assert session.cancellation_reason == "Trainer ziek"
    assert QueuedEmail.objects.filter(kind="session_cancelled").count() == 1


def test_decide_sessions_command_decides_each_once():
    go = past_deadline_session(min_participants=1)
    EnrolmentFactory(session=go)
    stop = past_deadline_session(min_participants=3)
    SessionFactory(min_participants=3)  # deadline still ahead
    out = mock.Mock()
    call_command("decide_sessions", stdout=out)
    written = "".join(call.args[0] for call in out.write.call_args_list)
    assert "gaat door" in written and "geannuleerd" in written
    go.refresh_from_db()
    stop.refresh_from_db()
    assert (go.status, stop.status) == ("confirmed", "cancelled")
    again = mock.Mock()
    call_command("decide_sessions", stdout=again)
    assert "Geen sessies" in again.write.call_args_list[0].args[0]


# E-mail ---------------------------------------------------------------------------------------


def test_confirmation_mail_goes_out_after_commit_with_calendar_and_link(
    django_capture_on_commit_callbacks,
):
    session = SessionFactory(course=CourseFactory(title="Privacy in het IDO"), days=[10, 17])
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        enrol(session, "anna@example.org")
        assert mail.outbox == []  # nothing leaves before the transaction commits
    for callback in callbacks:
        callback()
    message = mail.outbox[0]
    assert message.to == ["anna@example.org"]
    assert message.subject == "Inschrijving bevestigd: Privacy in het IDO"
    assert "/inschrijving/" in message.body
    html = message.alternatives[0]
    assert html.mimetype == "text/html"
    name, content, mimetype = message.attachments[0]
    assert name.endswith(".ics") and mimetype.startswith("text/calendar")
    assert content.count("BEGIN:VEVENT") == 2
    assert QueuedEmail.objects.get().status == "sent"


def test_waitlisted_mail_states_the_position(django_capture_on_commit_callbacks):
    session = SessionFactory(capacity=1)
    with django_capture_on_commit_callbacks(execute=True):
        enrol(session, "a@example.org")
        enrol(session, "b@example.org")
    assert mail.outbox[1].subject.startswith("Op de wachtlijst (plaats 1)")


def test_a_failing_mail_server_loses_nothing_and_the_mail_is_retried(
    django_capture_on_commit_callbacks,
):
    session = SessionFactory()
    with (
        mock.patch(
            "django.core.mail.backends.locmem.EmailBackend.send_messages",
            side_effect=OSError("down"),
        ),
        django_capture_on_commit_callbacks(execute=True),
    ):
        result = enrol(session, "anna@example.org")
    assert Enrolment.objects.get().pk == result.enrolment.pk
    queued = QueuedEmail.objects.get()
    assert (queued.status, queued.attempts, queued.last_error) == ("failed", 1, "down")
    call_command("send_queued_mail", stdout=mock.Mock())
    queued.refresh_from_db()
    assert queued.status == "sent" and queued.attempts == 2
    assert len(mail.outbox) == 1


# Rule 9: interest -----------------------------------------------------------------------------


def test_interest_is_mailed_once_when_a_session_is_scheduled():
    course = CourseFactory()
    interest_register(course=course, email="a@example.org", city="Utrecht")
    interest_register(course=course, email="A@example.org")  # nothing new, no error
    assert Interest.objects.count() == 1
    session = SessionFactory(course=course)
    assert interest_notify(session_id=session.pk) == 1
    assert interest_notify(session_id=session.pk) == 0
    assert QueuedEmail.objects.filter(kind="interest", to="a@example.org").count() == 1
    interest = Interest.objects.get()
    assert interest.notified_session == session and interest.consent_at is not None


def test_interest_not_mailed_for_a_session_that_is_not_open():
    course = CourseFactory()
    interest_register(course=course, email="a@example.org")
    closed = SessionFactory(course=course, status=Session.Status.CANCELLED)
    assert interest_notify(session_id=closed.pk) == 0


def test_session_request_is_stored_and_confirmed():
    course = CourseFactory()
    request = session_request_create(
        course=course,
        organisation="Gemeente Evere",
        contact_name="Els Maes",
        email="els@example.org",
        participants=14,
        preferred_period="voorjaar",
    )
    assert request.status == "new"
    assert QueuedEmail.objects.get(kind="request_received").to == "els@example.org"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_session_lock_refuses_to_run_outside_a_transaction():
    session = SessionFactory()
    with pytest.raises(TransactionManagementError):
        services.lock_session(session.pk)
    with transaction.atomic():
        assert services.lock_session(session.pk).pk == session.pk
