"""The work that runs on a clock, in the worker (enrolments/tasks.py): each job is safe to run
again at any moment, and takes its own locks through the services it calls."""

from __future__ import annotations

import datetime

from enrolments.models import Interest
from enrolments.places.decisions import session_decide, sessions_to_decide
from enrolments.places.interest import interest_notify
from trainings.models import Session


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
