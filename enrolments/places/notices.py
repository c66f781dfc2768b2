"""The mails to an enrolled person about their place, queued in the transaction that changed
it (enrolments/mail/outbox.py sends them after the commit), with the session's calendar file
where the place comes with one."""

from __future__ import annotations

from django.conf import settings
from django.db.models import prefetch_related_objects
from django.utils import formats, timezone, translation

from enrolments.mail.outbox import ics_attachment, queue_email
from enrolments.models import Enrolment
from enrolments.places.tokens import self_service_path
from enrolments.settlement.costs import CourseTerms
from trainings.calendars import calendar_bytes, cancel_bytes
from trainings.models import Session, SessionDay


def _mail_context(enrolment: Enrolment, **extra) -> dict:
    session = enrolment.session
    # Once per session object: the text, the HTML and the calendar all list the days.
    prefetch_related_objects([session], "days")
    return {
        "enrolment": enrolment,
        "session": session,
        "course": session.course,
        "days": list(session.days.all()),
        "self_service_url": settings.SITE_URL + self_service_path(enrolment),
        "course_url": settings.SITE_URL + session.course.get_absolute_url(),
        # What a place costs and until when cancelling is free (confirmation mails).
        "terms": CourseTerms.of_course(session.course),
        "free_until": session.free_cancellation_until,
        "subject": {
            "course": session.course.title,
            "date": formats.date_format(timezone.localtime(session.starts_at), "j F Y"),
            **extra.pop("subject", {}),
        },
        **extra,
    }


def _calendar(session: Session) -> list[dict]:
    content = calendar_bytes([session], method="PUBLISH")
    return [ics_attachment(f"sessie-{session.pk}.ics", content, "PUBLISH")]


def _cancel_calendar(enrolment: Enrolment, days: list[SessionDay]) -> list[dict]:
    """METHOD:CANCEL for days this person has in their calendar (the invitation's UIDs), at
    the SEQUENCE the days carry: the caller raised it above what the person was sent."""
    session = enrolment.session
    content = cancel_bytes(session, days, attendee=enrolment.email, sequence_step=0)
    return [ics_attachment(f"sessie-{session.pk}-geannuleerd.ics", content, "CANCEL")]


def queue_notice(
    kind: str,
    enrolment: Enrolment,
    *,
    with_calendar: bool = False,
    cancel_days: list[SessionDay] | None = None,
    send: bool = True,
    **extra,
) -> None:
    """Queue one mail to an enrolled person. with_calendar attaches the session's days
    (METHOD:PUBLISH), cancel_days a METHOD:CANCEL for those days."""
    with translation.override(enrolment.language):
        # dates in the subject, in that language
        context = _mail_context(enrolment, calendar_cancel=cancel_days is not None, **extra)
    attachments = _calendar(enrolment.session) if with_calendar else []
    if cancel_days is not None:
        attachments += _cancel_calendar(enrolment, cancel_days)
    queue_email(
        kind=kind,
        to=enrolment.email,
        context=context,
        enrolment=enrolment,
        attachments=attachments or None,
        language=enrolment.language,
        send=send,
    )
