"""Rendering a queued mail in the worker: its context read back (rows fresh from the
database, days as they were when it was queued), the texts in the person's language, the
calendar files, and the message as it goes over SMTP."""

from __future__ import annotations

import base64
from collections import defaultdict
from email.utils import make_msgid
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.core.mail.message import SafeMIMEText
from django.template.loader import render_to_string
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from enrolments.mail.packing import model, references, unpack
from enrolments.models import QueuedEmail
from enrolments.places.tokens import group_confirm_path, self_service_path
from enrolments.settlement.costs import CourseTerms
from trainings.calendars import cancel_bytes, publish_bytes

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
    "reminder": gettext_noop("Herinnering: {course} op {date}"),
    "session_decided": gettext_noop("Besluit over {course} op {date}: {outcome}"),
}

# What a referenced row brings along, so that rendering reads each table once.
RELATED = {
    "enrolments.enrolmentgroup": ("session__course", "session__location"),
    "enrolments.sessionrequest": ("course",),
    "trainings.session": ("course", "location", "adviser"),
}


class Gone(Exception):
    """A row the mail is about was erased before it was sent."""


def _rows(packed: dict) -> dict:
    wanted = defaultdict(set)
    for label, pk in references(packed):
        wanted[label].add(pk)
    rows = {}
    for label, pks in wanted.items():
        found = model(label).objects.select_related(*RELATED.get(label, ())).in_bulk(pks)
        if len(found) != len(pks):
            raise Gone(label)
        rows.update({(label, pk): row for pk, row in found.items()})
    return rows


def _date(moment) -> str:
    return formats.date_format(timezone.localtime(moment), "j F Y") if moment else ""


def context_of(message: QueuedEmail) -> dict:
    """The template context: what was packed, plus what follows from it."""
    packed = unpack(message.context, _rows(message.context))
    enrolment = packed.get("enrolment")
    group = packed.get("group")
    request = packed.get("request")
    session = packed.get("session") or getattr(enrolment or group, "session", None)
    course = packed.get("course") or (session.course if session else request.course)
    context = {"site_url": settings.SITE_URL, "course": course, "session": session}
    context["course_url"] = settings.SITE_URL + course.get_absolute_url()
    if session is not None:
        if packed.get("session_status"):
            session.status = packed["session_status"]  # as it was when the mail was queued
        days = packed.get("days")
        for day in [*(days or []), *(packed.get("cancel_days") or [])]:
            day.session = session
        context["days"] = days if days is not None else list(session.days.all())
    if enrolment is not None:
        enrolment.session = session
        context.update(
            self_service_url=settings.SITE_URL + self_service_path(enrolment),
            terms=CourseTerms.of_course(course),
            free_until=session.free_cancellation_until,
        )
    if group is not None:
        context.update(
            confirm_url=settings.SITE_URL + group_confirm_path(group),
            expires_at=timezone.localtime(group.expires_at),
        )
    context["calendar_cancel"] = packed.get("cancel_days") is not None
    context.update({key: value for key, value in packed.items() if key not in context})
    context["subject"] = {
        "course": course.title,
        "date": _date(session.starts_at) if session else "",
        **packed.get("subject", {}),
    }
    return context


def ics_attachment(filename: str, content: bytes, method: str) -> dict:
    """A calendar file for a mail; `method` must be the VCALENDAR's METHOD (RFC 6047)."""
    return {
        "filename": filename,
        "content": base64.b64encode(content).decode("ascii"),
        "mimetype": f"text/calendar; method={method}",
    }


def _attachments(context: dict) -> list[dict]:
    session = context["session"]
    attachments = []
    if context.get("calendar") == "publish":
        content = publish_bytes(session, context["days"])
        attachments.append(ics_attachment(f"sessie-{session.pk}.ics", content, "PUBLISH"))
    if context.get("cancel_days") is not None:
        content = cancel_bytes(
            session, context["cancel_days"], attendee=context["enrolment"].email, sequence_step=0
        )
        attachments.append(
            ics_attachment(f"sessie-{session.pk}-geannuleerd.ics", content, "CANCEL")
        )
    return attachments


def render_into(message: QueuedEmail) -> None:
    """Render subject, texts and calendar files in the mail's language; store them on the
    row (the outbox shows what was sent). Raises Gone when its person was erased."""
    with translation.override(message.language):
        context = context_of(message)
        subject = _(SUBJECTS[message.kind]).format(**context["subject"])
        message.subject = " ".join(subject.split())[:300]
        message.body_text = render_to_string(f"enrolments/email/{message.kind}.txt", context)
        message.body_html = render_to_string(f"enrolments/email/{message.kind}.html", context)
        message.attachments = _attachments(context)
    message.context = {}  # said now: what it was made from is not kept beside the text
    QueuedEmail.objects.filter(pk=message.pk).update(
        subject=message.subject,
        body_text=message.body_text,
        body_html=message.body_html,
        attachments=message.attachments,
        context={},
    )


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


def build_message(message: QueuedEmail, connection=None) -> Email:
    email = Email(
        subject=message.subject,
        body=message.body_text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[message.to],
        headers=headers(),
        connection=connection,
    )
    if message.body_html:
        email.attach_alternative(message.body_html, "text/html")
    for attachment in message.attachments:
        email.attach(
            attachment["filename"],
            base64.b64decode(attachment["content"]),
            attachment["mimetype"],
        )
    return email
