"""Writes on the offer side that touch more than one row. Places are handled in enrolments."""

import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from trainings.models import Session, SessionDay


@transaction.atomic
def session_duplicate(
    *, session: Session, first_day: datetime.date, user: AbstractBaseUser | None = None
) -> Session:
    """Copy a session to a new first day: every day and the deadline move by the same offset."""
    days = list(session.days.order_by("date"))
    if not days:
        raise ValueError("A session without days cannot be duplicated.")
    offset = first_day - days[0].date
    copy = Session.objects.get(pk=session.pk)
    copy.pk = None
    copy.code = ""
    copy.status = Session.Status.SCHEDULED
    copy.notes = ""
    if session.registration_deadline:
        copy.registration_deadline = session.registration_deadline + offset
    if user is not None and user.is_authenticated:
        copy.adviser = user
    copy.save()
    SessionDay.objects.bulk_create(
        SessionDay(
            session=copy, date=day.date + offset, start_time=day.start_time, end_time=day.end_time
        )
        for day in days
    )
    copy.sync_span()
    return copy


def session_days_revise(*, day_ids, now: datetime.datetime | None = None) -> int:
    """Mark days whose time, place or status changed: the next calendar file carries a higher
    SEQUENCE and a new LAST-MODIFIED, so calendars that imported the day take the update."""
    return SessionDay.objects.filter(pk__in=list(day_ids)).update(
        calendar_sequence=F("calendar_sequence") + 1, calendar_changed_at=now or timezone.now()
    )
