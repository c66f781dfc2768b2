"""The outbox in the admin: why a mail was not sent, and "send again" through the worker."""

import datetime

import pytest
from django.contrib.auth.models import Group, User
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from enrolments.mail.outbox import MAX_ATTEMPTS
from enrolments.models import QueuedEmail
from tests.factories import QueuedEmailFactory

pytestmark = pytest.mark.django_db

FAILED = QueuedEmail.Status.FAILED


@pytest.fixture
def adviser(client):
    user = User.objects.create_user("adviseur", is_staff=True)
    user.groups.add(Group.objects.get(name="POI-adviseurs"))
    client.force_login(user)
    return user


def test_the_list_says_why_a_mail_failed_and_when_it_is_tried_again(client, adviser):
    QueuedEmailFactory(
        status=FAILED,
        attempts=3,
        last_error="Connection refused",
        next_attempt_at=timezone.now() + datetime.timedelta(minutes=4),
    )
    QueuedEmailFactory(status=FAILED, attempts=MAX_ATTEMPTS, last_error="550 no such user")
    html = client.get(reverse("admin:enrolments_queuedemail_changelist")).content.decode()
    assert "Connection refused" in html
    assert f"poging 3 van {MAX_ATTEMPTS}; volgende om" in html
    assert f"opgegeven na {MAX_ATTEMPTS} pogingen" in html
    assert "550 no such user" in html
    assert "Inschrijving bevestigd" in html  # the kind by its name, not its code


def test_send_again_hands_the_mail_to_the_worker_even_after_the_last_attempt(
    client, adviser, django_capture_on_commit_callbacks
):
    given_up = QueuedEmailFactory(status=FAILED, attempts=MAX_ATTEMPTS, last_error="down")
    waiting = QueuedEmailFactory(
        status=FAILED, attempts=2, next_attempt_at=timezone.now() + datetime.timedelta(hours=1)
    )
    sent = QueuedEmailFactory(status=QueuedEmail.Status.SENT)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:enrolments_queuedemail_changelist"),
            {"action": "retry", "_selected_action": [given_up.pk, waiting.pk, sent.pk]},
            follow=True,
        )
    assert "2 e-mails gaan opnieuw naar de verzending." in response.content.decode()
    # The test's worker runs at once (immediate mode): both went out, the sent one not again.
    assert sorted(m.to[0] for m in mail.outbox) == sorted([given_up.to, waiting.to])
    given_up.refresh_from_db()
    assert (given_up.status, given_up.attempts) == (QueuedEmail.Status.SENT, MAX_ATTEMPTS)
