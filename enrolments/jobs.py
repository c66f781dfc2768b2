"""The work that runs on a clock, in the worker (enrolments/tasks.py): each job is safe to run
again at any moment, and takes its own locks through the services it calls."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.db.models.functions import Coalesce
from django.utils import timezone

from enrolments.models import Enrolment, Interest
from enrolments.places.decisions import session_decide, sessions_to_decide
from enrolments.places.interest import interest_notify
from enrolments.places.notices import queue_notice
from trainings.models import Session

# Reminders claimed and queued per transaction: a short lock, however many are due.
REMINDER_BATCH = 200


def decide_due_sessions(now: datetime.datetime | None = None) -> dict[int, str]:
    """Decide every scheduled session whose deadline passed; {session id: new status}."""
    decided = {}
    for session_id in sessions_to_decide(now).values_list("pk", flat=True):
        outcome = session_decide(session_id=session_id, now=now)
        if outcome is not None:  # None: decided meanwhile by another worker or an adviser
            decided[session_id] = outcome
    return decided


def notify_interest() -> int:
    """People waiting for news about a course hear of its first session open for
    registration (the adviser can also send this at once from the admin). Returns how many
    were mailed."""
    courses = Interest.objects.filter(notified_at=None).values("course_id")
    first_open = (
        Session.objects.filter(course_id__in=courses, course__is_published=True)
        .open_for_registration()
        .order_by("course_id", "starts_at", "pk")
        .values_list("course_id", "pk")
    )
    sessions = dict(reversed(list(first_open)))  # the earliest per course
    return sum(interest_notify(session_id=session_id) for session_id in sessions.values())


def reminders_due(now: datetime.datetime | None = None):
    """Registered people whose session (not cancelled) starts within REMINDER_DAYS_BEFORE
    days and who have not had their reminder yet. Who got their place after the reminder
    would have gone (enrolled or moved up in the last days) has just had a confirmation with
    the same facts and calendar file: no reminder a minute later."""
    now = now or timezone.now()
    before = datetime.timedelta(days=settings.REMINDER_DAYS_BEFORE)
    return (
        Enrolment.objects.alias(placed_at=Coalesce("promoted_at", "created_at"))
        .filter(
            status=Enrolment.Status.REGISTERED,
            reminded_at=None,
            session__starts_at__gt=now,
            session__starts_at__lte=now + before,
            placed_at__lt=F("session__starts_at") - before,
        )
        .exclude(session__status=Session.Status.CANCELLED)
    )


def send_reminders(now: datetime.datetime | None = None) -> int:
    """Queue the reminder (with the calendar file) a few days before the session, once per
    person: each batch claims its rows (skip_locked), so two workers never mail the same
    person. Returns how many were queued; REMINDER_DAYS_BEFORE = 0 sends none."""
    if settings.REMINDER_DAYS_BEFORE <= 0:
        return 0
    now = now or timezone.now()
    queued = 0
    while True:
        with transaction.atomic():
            claimed = list(
                reminders_due(now)
                .select_related("session__course", "session__location")
                .prefetch_related("session__days")
                .select_for_update(skip_locked=True, of=("self",))
                .order_by("session_id", "pk")[:REMINDER_BATCH]
            )
            for enrolment in claimed:
                queue_notice("reminder", enrolment, with_calendar=True)
            Enrolment.objects.filter(pk__in=[e.pk for e in claimed]).update(reminded_at=now)
        queued += len(claimed)
        if len(claimed) < REMINDER_BATCH:
            return queued
