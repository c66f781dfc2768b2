"""Writes on the offer side that touch more than one row. Places are handled in enrolments."""

import datetime

from django.db.models import F, QuerySet
from django.utils import timezone

from trainings.models import Course, Session, SessionDay
from trainings.signals import offer_changed


def session_days_revise(*, day_ids, now: datetime.datetime | None = None) -> int:
    """Mark days whose time, place or status changed: the next calendar file carries a higher
    SEQUENCE and a new LAST-MODIFIED, so calendars that imported the day take the update."""
    return SessionDay.objects.filter(pk__in=list(day_ids)).update(
        calendar_sequence=F("calendar_sequence") + 1, calendar_changed_at=now or timezone.now()
    )


def session_days_withdraw(*, session: Session) -> list[SessionDay]:
    """The days as a METHOD:CANCEL for one person who leaves should carry them: SEQUENCE one
    above anything sent so far. The days' own SEQUENCE moves past that, so an invitation sent
    later (the person enrols again) is newer than their cancellation (RFC 5546 2.1.5).
    LAST-MODIFIED stays: the days themselves did not change. Call with the session locked."""
    days = list(SessionDay.objects.filter(session=session))  # not a prefetched, older list
    SessionDay.objects.filter(pk__in=[day.pk for day in days]).update(
        calendar_sequence=F("calendar_sequence") + 2
    )
    for day in days:
        day.session = session
        day.calendar_sequence += 1  # the cancellation's version: above the old, below the new
    return days


def courses_publish(*, courses: QuerySet[Course], published: bool) -> int:
    """Publish the courses or put them back to draft. A bulk update skips save(), so the
    catalogue is told here (offer_changed) that its pages may differ now."""
    count = courses.update(is_published=published)
    offer_changed.send(sender=Course)
    return count
