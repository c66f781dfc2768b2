"""The adviser's summary of a session decided at its deadline (decisions.session_decide):
the outcome, the counts it was decided on and a link to the session in the admin."""

import datetime

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.utils import timezone, translation

from enrolments.models import Enrolment, QueuedEmail
from enrolments.places import decisions
from tests.factories import CourseFactory, EnrolmentFactory, SessionFactory

pytestmark = pytest.mark.django_db

R, W = Enrolment.Status.REGISTERED, Enrolment.Status.WAITLISTED


@pytest.fixture
def adviser():
    return User.objects.create_user(
        "adviseur", email="adviseur@poi.example", first_name="Mila", is_staff=True
    )


def past_deadline_session(**kwargs):
    return SessionFactory(
        course=CourseFactory(title="Archiefwet"),
        registration_deadline=timezone.now() - datetime.timedelta(minutes=1),
        **kwargs,
    )


@pytest.fixture
def decide(django_capture_on_commit_callbacks):
    """Decide as the worker does; returns the summaries sent to the adviser."""

    def run(session, adviser_address="adviseur@poi.example"):
        with django_capture_on_commit_callbacks(execute=True):
            outcome = decisions.session_decide(session_id=session.pk)
        sent = [message for message in mail.outbox if message.to == [adviser_address]]
        return outcome, sent

    return run


def html_of(message) -> str:
    return message.alternatives[0][0]


def test_summary_of_a_session_that_goes_ahead(adviser, decide):
    session = past_deadline_session(capacity=2, min_participants=2, adviser=adviser)
    for status in (R, R, W):
        EnrolmentFactory(session=session, status=status)
    outcome, (summary,) = decide(session)
    assert outcome == "confirmed"
    assert summary.subject.startswith("Besluit over Archiefwet op ")
    assert summary.subject.endswith(": gaat door")
    admin_url = f"http://testserver/admin/trainings/session/{session.pk}/change/"
    for body in (summary.body, html_of(summary)):
        assert "Beste Mila," in body
        assert "ze gaat door" in body
        assert "Ingeschreven: 2 (minimum 2, maximum 2)" in body
        assert "Op de wachtlijst: 1" in body
        assert admin_url in body
        assert "Reden van annulering" not in body
    # The participants heard too, each once.
    assert len(mail.outbox) == 4


def test_summary_of_a_session_that_is_cancelled_gives_the_reason(adviser, decide):
    session = past_deadline_session(capacity=12, min_participants=4, adviser=adviser)
    EnrolmentFactory(session=session)
    outcome, (summary,) = decide(session)
    assert outcome == "cancelled"
    assert summary.subject.endswith(": geannuleerd")
    for body in (summary.body, html_of(summary)):
        assert "ze gaat niet door en is geannuleerd" in body
        assert "Ingeschreven: 1 (minimum 4, maximum 12)" in body
        assert "Op de wachtlijst: 0" in body
        assert "Reden van annulering: Er waren bij het sluiten van de inschrijving" in body


def test_summary_is_in_the_site_language_whatever_language_is_active(adviser, decide):
    session = past_deadline_session(min_participants=0, adviser=adviser)
    with translation.override("en"):
        _outcome, (summary,) = decide(session)
    assert summary.subject.endswith(": gaat door")
    assert "Ingeschreven: 0" in summary.body
    assert QueuedEmail.objects.get(kind="session_decided").language == "nl"


def test_summary_follows_the_site_language_setting(adviser, decide, settings):
    settings.LANGUAGE_CODE = "en"
    session = past_deadline_session(min_participants=0, adviser=adviser)
    _outcome, (summary,) = decide(session)
    assert summary.subject.startswith("Decision on Archiefwet on ")
    assert summary.subject.endswith(": goes ahead")
    assert "Enrolled: 0 (minimum 0, maximum 10)" in summary.body
    assert "Dear Mila," in summary.body


def test_no_summary_without_an_adviser(decide):
    session = past_deadline_session(min_participants=0)
    EnrolmentFactory(session=session)
    assert decide(session)[0] == "confirmed"
    assert not QueuedEmail.objects.filter(kind="session_decided").exists()


def test_no_summary_to_an_adviser_without_an_address(adviser, decide):
    User.objects.filter(pk=adviser.pk).update(email="")
    session = past_deadline_session(min_participants=0, adviser=adviser)
    assert decide(session)[0] == "confirmed"
    assert not QueuedEmail.objects.filter(kind="session_decided").exists()


def test_summary_goes_once_and_only_for_the_deadline_decision(adviser, decide):
    decided = past_deadline_session(min_participants=0, adviser=adviser)
    assert len(decide(decided)[1]) == 1
    mail.outbox.clear()
    assert decide(decided) == (None, [])  # nothing left to decide: no second summary
    # An adviser who decides by hand needs no summary of their own decision.
    by_hand = SessionFactory(adviser=adviser)
    decisions.session_confirm(session_id=by_hand.pk)
    assert QueuedEmail.objects.filter(kind="session_decided").count() == 1


def test_summary_is_stored_with_the_decision(adviser):
    """Queued in the decision's own transaction: no decision without its summary."""
    session = past_deadline_session(min_participants=0, adviser=adviser)
    decisions.session_decide(session_id=session.pk)  # on_commit never runs here: not sent
    message = QueuedEmail.objects.get(kind="session_decided")
    assert (message.to, message.status) == ("adviseur@poi.example", "pending")
    assert message.enrolment is None
