"""The mails to an enrolled person about their place, queued in the transaction that changed
it; the worker renders and sends them (enrolments/mail/), with the session's calendar file
where the place comes with one."""

from __future__ import annotations

from enrolments.mail.outbox import queue_email
from enrolments.models import Enrolment
from trainings.models import SessionDay
from trainings.precompiled import Precompiled, is_prefetched, set_prefetched

# A session's days in their order (SessionDay.Meta.ordering), compiled to SQL once.
SESSION_DAYS = Precompiled(lambda session: SessionDay.objects.filter(session_id=session))


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
    (METHOD:PUBLISH), cancel_days a METHOD:CANCEL for those days (their SEQUENCE as the
    caller set it). The days are stored as they are now: the worker renders later."""
    session = enrolment.session
    if not is_prefetched(session, "days"):  # once per session object
        set_prefetched(session, "days", SESSION_DAYS.all(session=session.pk))
    queue_email(
        kind=kind,
        to=enrolment.email,
        context={
            "enrolment": enrolment,
            "session": session,
            "session_status": session.status,
            "days": list(session.days.all()),
            "calendar": "publish" if with_calendar else "",
            "cancel_days": cancel_days,
            **extra,
        },
        enrolment=enrolment,
        language=enrolment.language,
        send=send,
    )
