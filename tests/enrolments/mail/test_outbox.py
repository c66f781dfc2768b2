"""The outbox: a message that could not be sent is retried, and sent once (mail/outbox.py)."""

import datetime
import io
from unittest import mock

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from enrolments.mail.outbox import MAX_ATTEMPTS, backoff, retry_pending, send_due, stale_sending
from enrolments.models import QueuedEmail
from tests.factories import QueuedEmailFactory

pytestmark = pytest.mark.django_db

FAILED, SENT = QueuedEmail.Status.FAILED, QueuedEmail.Status.SENT


def test_retry_sends_a_failed_message():
    message = QueuedEmailFactory(status=FAILED, attempts=1, last_error="down")
    assert retry_pending() == (1, 0)
    message.refresh_from_db()
    assert (message.status, message.attempts, message.last_error) == (SENT, 2, "")
    assert [sent.to for sent in mail.outbox] == [[message.to]]


def test_retry_sends_a_message_only_once():
    QueuedEmailFactory(status=FAILED, attempts=1)
    retry_pending()
    assert retry_pending() == (0, 0)
    assert len(mail.outbox) == 1


def test_retry_keeps_a_message_that_fails_again():
    message = QueuedEmailFactory(status=FAILED, attempts=1)
    with mock.patch(
        "django.core.mail.backends.locmem.EmailBackend.send_messages",
        side_effect=OSError("still down"),
    ):
        assert retry_pending() == (0, 1)
    message.refresh_from_db()
    assert (message.status, message.attempts, message.last_error) == (FAILED, 2, "still down")
    # Not again at once: the next try waits (30 s after the first failure, doubling).
    assert message.next_attempt_at - timezone.now() > datetime.timedelta(seconds=50)
    assert retry_pending() == (0, 0)


def test_a_failed_message_goes_again_once_its_wait_is_over():
    message = QueuedEmailFactory(status=FAILED, attempts=3)
    QueuedEmail.objects.filter(pk=message.pk).update(
        next_attempt_at=timezone.now() + datetime.timedelta(minutes=2)
    )
    assert retry_pending() == (0, 0)
    later = timezone.now() + datetime.timedelta(minutes=3)
    assert send_due(now=later) == (1, 0)


def test_backoff_doubles_up_to_an_hour():
    assert [backoff(n).total_seconds() for n in (1, 2, 3, 4, 8, 20)] == [
        30,
        60,
        120,
        240,
        3600,
        3600,
    ]


def test_retry_gives_up_after_the_last_attempt():
    message = QueuedEmailFactory(status=FAILED, attempts=MAX_ATTEMPTS)
    assert retry_pending() == (0, 0)
    message.refresh_from_db()
    assert message.status == FAILED and mail.outbox == []


def test_retry_hands_back_a_message_left_sending_by_a_dead_process():
    stale = timezone.now() - stale_sending() - datetime.timedelta(minutes=1)
    message = QueuedEmailFactory(status=QueuedEmail.Status.SENDING, attempts=1, created_at=stale)
    assert retry_pending() == (1, 0)
    message.refresh_from_db()
    assert message.status == SENT and len(mail.outbox) == 1


def test_retry_leaves_a_message_another_process_is_sending():
    message = QueuedEmailFactory(status=QueuedEmail.Status.SENDING, attempts=1)
    assert retry_pending() == (0, 0)
    message.refresh_from_db()
    assert message.status == QueuedEmail.Status.SENDING and mail.outbox == []


def test_the_claim_window_is_the_setting_read_at_each_sweep(settings):
    settings.EMAIL_CLAIM_SECONDS = 30
    now = timezone.now()
    left = QueuedEmailFactory(status=QueuedEmail.Status.SENDING, attempts=1)
    QueuedEmail.objects.filter(pk=left.pk).update(claimed_at=now - datetime.timedelta(seconds=31))
    busy = QueuedEmailFactory(status=QueuedEmail.Status.SENDING, attempts=1)
    QueuedEmail.objects.filter(pk=busy.pk).update(claimed_at=now - datetime.timedelta(seconds=20))
    assert retry_pending() == (1, 0)
    assert [sent.to for sent in mail.outbox] == [[left.to]]
    busy.refresh_from_db()
    assert busy.status == QueuedEmail.Status.SENDING


def test_send_queued_mail_command_reports_what_it_sent():
    QueuedEmailFactory(status=FAILED, attempts=1)
    out = io.StringIO()
    call_command("send_queued_mail", stdout=out)
    assert out.getvalue() == "Verstuurd: 1; opnieuw mislukt: 0.\n"
    assert len(mail.outbox) == 1


def test_a_mails_task_sends_what_else_is_due_over_the_same_connection(settings):
    """Many people enrolling at once queue a task per mail: the first task sends its own
    mail and the others due, over one connection; the tasks after it find nothing to do."""
    from enrolments.mail.outbox import send_task

    first, second, third = QueuedEmailFactory.create_batch(3)
    later = QueuedEmailFactory(status=FAILED, attempts=1)
    QueuedEmail.objects.filter(pk=later.pk).update(
        next_attempt_at=timezone.now() + datetime.timedelta(minutes=5)
    )
    opened = []
    real = mail.get_connection

    def counting(*args, **kwargs):
        opened.append(1)
        return real(*args, **kwargs)

    with mock.patch("enrolments.mail.outbox.mail.get_connection", side_effect=counting):
        send_task.call_local(second.pk)
        assert len(opened) == 1
        # Its own mail and the others due, oldest first; not one whose next try is ahead.
        assert [sent.to for sent in mail.outbox] == [[first.to], [second.to], [third.to]]
        send_task.call_local(first.pk)
        send_task.call_local(third.pk)
    assert len(mail.outbox) == 3 and len(opened) == 1
    assert set(QueuedEmail.objects.values_list("status", flat=True)) == {SENT, FAILED}


def test_a_mails_task_comes_first_even_behind_a_full_batch():
    from enrolments.mail.outbox import BATCH, send_task

    older = QueuedEmailFactory.create_batch(BATCH)
    newest = QueuedEmailFactory()
    send_task.call_local(newest.pk)
    assert len(mail.outbox) == BATCH  # its own and the oldest BATCH - 1 others
    assert mail.outbox[-1].to == [newest.to]
    assert QueuedEmail.objects.get(pk=older[-1].pk).status == QueuedEmail.Status.PENDING
