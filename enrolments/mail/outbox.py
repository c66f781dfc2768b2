"""E-mails to participants, stored with the change that causes them and sent after commit.

queue_email() renders the message and stores it inside the caller's transaction: if the
enrolment rolls back, so does its mail; if the mail server is down, the enrolment stands and
the message waits in QueuedEmail until `manage.py send_queued_mail` delivers it.
"""

from __future__ import annotations

import base64
import datetime
import logging
from email.utils import make_msgid
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.core.mail.message import SafeMIMEText
from django.db import transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from enrolments.models import Enrolment, QueuedEmail

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
STALE_SENDING = datetime.timedelta(minutes=10)

SUBJECTS = {
    "registered": gettext_noop("Inschrijving bevestigd: {course}"),
    "waitlisted": gettext_noop("Op de wachtlijst (plaats {position}): {course}"),
    "promoted": gettext_noop("Er is een plaats vrij: je bent ingeschreven voor {course}"),
    "already_enrolled": gettext_noop("Je inschrijving voor {course}"),
    "cancelled": gettext_noop("Je inschrijving is geannuleerd: {course}"),
    "session_confirmed": gettext_noop("{course} gaat door"),
    "session_cancelled": gettext_noop("Geannuleerd: {course} op {date}"),
    "session_changed": gettext_noop("Nieuwe planning: {course}"),
    "interest": gettext_noop("Nieuwe sessie gepland: {course}"),
    "request_received": gettext_noop("Je aanvraag voor een sessie op maat: {course}"),
    "group_confirm": gettext_noop("Bevestig je groepsaanmelding voor {course} op {date}"),
    "substituted": gettext_noop("Je plaats is overgedragen: {course}"),
    "substitute": gettext_noop("Je neemt de plaats van een collega over: {course}"),
    "substitute_enrolled": gettext_noop("Een collega wilde je een plaats overdragen: {course}"),
}


def queue_email(
    *,
    kind: str,
    to: str,
    context: dict,
    enrolment: Enrolment | None = None,
    attachments: list[dict] | None = None,
    language: str | None = None,
    send: bool = True,
) -> QueuedEmail:
    """Render an e-mail now, in the person's language, and send it when the current
    transaction commits. send=False stores it as not sent (the same work, no message)."""
    context = {"site_url": settings.SITE_URL, **context}
    with translation.override(language or settings.LANGUAGE_CODE):
        subject = _(SUBJECTS[kind]).format(**context.get("subject", {}))
        text = render_to_string(f"enrolments/email/{kind}.txt", context)
        html = render_to_string(f"enrolments/email/{kind}.html", context)
    message = QueuedEmail.objects.create(
        kind=kind,
        to=to,
        subject=" ".join(subject.split())[:300],
        body_text=text,
        body_html=html,
        attachments=attachments or [],
        enrolment=enrolment,
        status=QueuedEmail.Status.PENDING if send else QueuedEmail.Status.SUPPRESSED,
    )
    if send:
        transaction.on_commit(lambda: deliver(message.pk, message))
    return message


def ics_attachment(filename: str, content: bytes, method: str = "PUBLISH") -> dict:
    """A calendar file for a mail; `method` must be the VCALENDAR's METHOD (RFC 6047)."""
    return {
        "filename": filename,
        "content": base64.b64encode(content).decode("ascii"),
        "mimetype": f"text/calendar; method={method}",
    }


class Email(EmailMultiAlternatives):
    """Django's message, with calendar parts as RFC 6047 wants them: one charset parameter
    (Django would add its own after ours) and the method of the VCALENDAR inside."""

    def _create_mime_attachment(self, content, mimetype):
        if not mimetype.startswith("text/calendar"):
            return super()._create_mime_attachment(content, mimetype)
        params = dict(part.strip().split("=", 1) for part in mimetype.split(";")[1:] if "=" in part)
        part = SafeMIMEText(content, "calendar", "utf-8")
        if params.get("method"):
            part.set_param("method", params["method"].strip().strip('"').upper())
        return part


def headers() -> dict[str, str]:
    """Headers for every message: a Message-ID in the site's domain (Django's names the
    machine, often `localhost`, which spam filters count against us), and Auto-Submitted
    (RFC 3834) so that out-of-office replies do not come back to a no-reply address."""
    domain = urlsplit(settings.SITE_URL).hostname or "localhost"
    return {
        "Message-ID": make_msgid(domain=domain),
        "Auto-Submitted": "auto-generated",
        "X-Auto-Response-Suppress": "All",
    }


def deliver(pk: int, message: QueuedEmail | None = None) -> bool:
    """Send one queued e-mail; True when sent. Safe to call from several processes.

    `message` saves reading the row back when the caller has just stored it."""
    claimed = QueuedEmail.objects.filter(
        pk=pk, status__in=[QueuedEmail.Status.PENDING, QueuedEmail.Status.FAILED]
    ).update(status=QueuedEmail.Status.SENDING, attempts=F("attempts") + 1)
    if not claimed:
        return False  # someone else sent it, or is sending it now
    if message is None:
        message = QueuedEmail.objects.get(pk=pk)
    email = Email(
        subject=message.subject,
        body=message.body_text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[message.to],
        headers=headers(),
    )
    if message.body_html:
        email.attach_alternative(message.body_html, "text/html")
    for attachment in message.attachments:
        email.attach(
            attachment["filename"],
            base64.b64decode(attachment["content"]),
            attachment["mimetype"],
        )
    try:
        email.send()
    except Exception as error:  # any transport failure: keep the message for a retry
        # The id, never the address: logs are kept longer and read by more people than the
        # outbox. The error text itself can quote the address (SMTP 550 replies do).
        logger.warning(
            "Sending e-mail %s (%s) failed: %s",
            pk,
            message.kind,
            type(error).__name__,
        )
        QueuedEmail.objects.filter(pk=pk).update(
            status=QueuedEmail.Status.FAILED, last_error=str(error)[:2000]
        )
        return False
    QueuedEmail.objects.filter(pk=pk).update(
        status=QueuedEmail.Status.SENT, sent_at=timezone.now(), last_error=""
    )
    return True


def retry_pending() -> tuple[int, int]:
    """Send every message that is waiting or failed (up to MAX_ATTEMPTS); (sent, failed)."""
    stale = timezone.now() - STALE_SENDING
    # A process that died while sending leaves 'sending' behind; hand those back.
    QueuedEmail.objects.filter(status=QueuedEmail.Status.SENDING, created_at__lt=stale).update(
        status=QueuedEmail.Status.FAILED, last_error="interrupted while sending"
    )
    waiting = QueuedEmail.objects.filter(
        Q(status=QueuedEmail.Status.PENDING) | Q(status=QueuedEmail.Status.FAILED),
        attempts__lt=MAX_ATTEMPTS,
    ).values_list("pk", flat=True)
    sent = failed = 0
    for pk in list(waiting):
        if deliver(pk):
            sent += 1
        else:
            failed += 1
    return sent, failed
