"""E-mails to participants: stored with the change that causes them, sent by the worker.

The request only writes a QueuedEmail row in its own transaction (what the mail is about,
packed as references and the facts of that moment) and, once committed, asks the worker to
send it. The worker claims due rows (`select_for_update(skip_locked=True)`), renders them in
the person's language (enrolments/mail/render.py), sends a batch over one SMTP connection
and records the outcome; failures are retried with backoff. A periodic sweep sends whatever
the queue never delivered (queue down, worker killed), so no mail is lost, and the claim
makes sure none is sent twice.
"""

from __future__ import annotations

import datetime
import logging

from django.conf import settings
from django.core import mail
from django.db import DatabaseError, transaction
from django.db.models import Case, F, Min, Q, When
from django.utils import timezone
from huey.contrib.djhuey import db_task

from enrolments.mail.packing import pack
from enrolments.mail.render import Gone, build_message, render_into
from enrolments.models import Enrolment, QueuedEmail

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
BATCH = 50
Status = QueuedEmail.Status
DUE = [Status.PENDING, Status.FAILED]


def stale_sending() -> datetime.timedelta:
    """A worker that died while sending leaves rows claimed; after this they are due again
    (settings.EMAIL_CLAIM_SECONDS, read at each sweep so a test or a restart can change it)."""
    return datetime.timedelta(seconds=settings.EMAIL_CLAIM_SECONDS)


def backoff(attempts: int) -> datetime.timedelta:
    """Wait before the next try: 30 s, 1, 2, 4 … minutes, at most an hour."""
    return datetime.timedelta(seconds=min(30 * 2 ** max(attempts - 1, 0), 3600))


def queue_email(
    *,
    kind: str,
    to: str,
    context: dict,
    enrolment: Enrolment | None = None,
    language: str | None = None,
    send: bool = True,
) -> QueuedEmail:
    """Store a mail in the caller's transaction; the worker renders and sends it after the
    commit. `context` holds rows (stored as references), days (stored as they are now) and
    plain values. send=False stores it as not to be sent (the same work, no message)."""
    message = QueuedEmail.objects.create(
        kind=kind,
        to=to,
        language=language or settings.LANGUAGE_CODE,
        context=pack(context),
        enrolment=enrolment,
        status=Status.PENDING if send else Status.SUPPRESSED,
    )
    # Also for a mail not to be sent: a repeated enrolment must cost what a new one costs
    # (rule 6); the worker finds nothing to send in it.
    transaction.on_commit(lambda: ask_worker(message.pk))
    return message


def ask_worker(pk: int) -> None:
    """Put "send this one" on the task queue. A queue that is down costs nothing but time:
    the row waits for the sweep."""
    try:
        send_task(pk)
    except Exception as error:  # any queue failure: the outbox row is still there
        logger.warning("Queueing e-mail %s failed: %s", pk, type(error).__name__)


@db_task(retries=0)
def send_task(pk: int) -> None:
    """Send the mail `pk` and, over the same connection, whatever else is due (oldest first,
    up to BATCH). When many people enrol at once the first tasks send the mails in batches,
    one SMTP connection each, and the tasks after them find their mail sent: nothing to do
    but one short query. The claim keeps two worker threads from sending a mail twice."""
    send_due(pks=[pk], with_others=True)


def _claim(
    pks: list[int] | None, limit: int, now: datetime.datetime, with_others: bool = False
) -> list[QueuedEmail]:
    with transaction.atomic():
        due = QueuedEmail.objects.filter(
            status__in=DUE, attempts__lt=MAX_ATTEMPTS, next_attempt_at__lte=now
        )
        order = ["created_at", "pk"]
        if pks is not None and with_others:  # these first, then the oldest others
            order.insert(0, Case(When(pk__in=pks, then=0), default=1))
        elif pks is not None:
            due = due.filter(pk__in=pks)
        ids = list(
            due.order_by(*order)
            .select_for_update(skip_locked=True)
            .values_list("pk", flat=True)[:limit]
        )
        if not ids:
            return []
        QueuedEmail.objects.filter(pk__in=ids).update(
            status=Status.SENDING, attempts=F("attempts") + 1, claimed_at=now
        )
    return list(QueuedEmail.objects.filter(pk__in=ids).order_by("created_at", "pk"))


def _failed(message: QueuedEmail, error: str, now: datetime.datetime) -> None:
    QueuedEmail.objects.filter(pk=message.pk).update(
        status=Status.FAILED,
        last_error=error[:2000],
        next_attempt_at=now + backoff(message.attempts),
        claimed_at=None,
    )


def send_due(
    pks: list[int] | None = None,
    limit: int = BATCH,
    now: datetime.datetime | None = None,
    *,
    with_others: bool = False,
) -> tuple[int, int]:
    """Claim up to `limit` due mails (these `pks` only, if given; with_others: these first,
    then the oldest others), render and send them over one connection. Returns (sent,
    failed). Safe to run in several processes at once."""
    now = now or timezone.now()
    messages = _claim(pks, limit, now, with_others)
    if not messages:
        return 0, 0
    sent = failed = 0
    ready = []
    for message in messages:
        try:
            if not message.body_text:
                render_into(message)
        except Gone:
            # The person, group or request was erased before the mail went: nothing to send.
            QueuedEmail.objects.filter(pk=message.pk).update(status=Status.DROPPED, claimed_at=None)
            continue
        except Exception as error:  # a template bug must not stop the rest of the batch
            logger.exception("Rendering e-mail %s (%s) failed", message.pk, message.kind)
            _failed(message, f"{type(error).__name__}: {error}", now)
            failed += 1
            continue
        ready.append(message)
    if not ready:
        return sent, failed
    connection = mail.get_connection(timeout=settings.EMAIL_TIMEOUT)
    try:
        connection.open()
    except Exception as error:  # mail server down or not answering: all of them wait
        logger.warning(
            "Mail server unavailable for e-mails %s: %s",
            ", ".join(str(message.pk) for message in ready),
            type(error).__name__,
        )
        for message in ready:
            _failed(message, f"{type(error).__name__}: {error}", now)
        return sent, failed + len(ready)
    try:
        for message in ready:
            try:
                connection.send_messages([build_message(message, connection)])
            except Exception as error:  # this message failed; the rest of the batch goes on
                # The id, never the address: logs are kept longer and read by more people
                # than the outbox. The error text itself can quote the address.
                logger.warning(
                    "Sending e-mail %s (%s) failed: %s",
                    message.pk,
                    message.kind,
                    type(error).__name__,
                )
                _failed(message, str(error) or type(error).__name__, now)
                failed += 1
                continue
            QueuedEmail.objects.filter(pk=message.pk).update(
                status=Status.SENT, sent_at=timezone.now(), last_error="", claimed_at=None
            )
            sent += 1
    finally:
        try:
            connection.close()
        except Exception:  # closing a broken connection may fail too; the sends are recorded
            logger.debug("closing the SMTP connection failed", exc_info=True)
    return sent, failed


def deliver(pk: int) -> bool:
    """Send one queued mail now, in this process (also one that failed, or waits for its
    next try); True when sent. The admin's "send again" makes mails due (make_due) and leaves
    the sending to the worker; this is for a shell or a test."""
    make_due([pk])
    return send_due(pks=[pk])[0] == 1


def make_due(pks: list[int]) -> list[int]:
    """ "Send again": these unsent mails are due now, also after their last attempt (one more
    try). Returns the ones that were unsent."""
    waiting = QueuedEmail.objects.filter(pk__in=pks, status__in=DUE)
    due = list(waiting.values_list("pk", flat=True))
    waiting.update(next_attempt_at=timezone.now())
    waiting.filter(attempts__gte=MAX_ATTEMPTS).update(attempts=MAX_ATTEMPTS - 1)
    return due


def release_stale(now: datetime.datetime | None = None) -> int:
    """Rows a dead worker left claimed: due again (they count as a failed attempt)."""
    now = now or timezone.now()
    stale = now - stale_sending()
    return QueuedEmail.objects.filter(
        Q(claimed_at__lt=stale) | Q(claimed_at=None, created_at__lt=stale), status=Status.SENDING
    ).update(status=Status.FAILED, last_error="interrupted while sending", claimed_at=None)


def retry_pending(*, without_waiting: bool = False) -> tuple[int, int]:
    """Send everything due, batch after batch (the worker's sweep). without_waiting: also
    what waits for its next try (`send_queued_mail`, run by hand)."""
    release_stale()
    if without_waiting:
        QueuedEmail.objects.filter(status__in=DUE, attempts__lt=MAX_ATTEMPTS).update(
            next_attempt_at=timezone.now()
        )
    sent = failed = 0
    while True:
        batch_sent, batch_failed = send_due()
        sent, failed = sent + batch_sent, failed + batch_failed
        if batch_sent + batch_failed < BATCH:
            return sent, failed


def oldest_unsent_age(now: datetime.datetime | None = None) -> datetime.timedelta | None:
    """How long the oldest mail still to be sent has waited (None: nothing waits)."""
    now = now or timezone.now()
    try:
        oldest = QueuedEmail.objects.filter(
            status__in=[*DUE, Status.SENDING], attempts__lt=MAX_ATTEMPTS
        ).aggregate(oldest=Min("created_at"))["oldest"]
    except DatabaseError:
        return None
    return None if oldest is None else now - oldest
