"""Writes on the offer side that touch more than one row. Places are handled in enrolments."""

import datetime

from django.db.models import F
from django.utils import timezone

from trainings.models import SessionDay


def session_days_revise(*, day_ids, now: datetime.datetime | None = None) -> int:
    """Mark days whose time, place or status changed: the next calendar file carries a higher
    SEQUENCE and a new LAST-MODIFIED, so calendars that imported the day take the update."""
    return SessionDay.objects.filter(pk__in=list(day_ids)).update(
        calendar_sequence=F("calendar_sequence") + 1, calendar_changed_at=now or timezone.now()
    )
