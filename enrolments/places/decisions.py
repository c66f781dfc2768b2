"""Changes to a whole session from the admin or at its deadline: capacity limits, going
ahead or not (rule 4), a changed schedule. Each locks the session as services.py does and
tells everyone concerned."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from enrolments.mail.outbox import queue_email
from enrolments.models import Enrolment
from enrolments.places.notices import queue_notice
from enrolments.places.services import (
    REGISTERED,
    WAITLISTED,
    DecisionNotAllowed,
    LimitTooLow,
    lock_session,
)
from trainings.models import Session, SessionDay
from trainings.services import session_days_revise

# -- Capacity changes from the admin ---------------------------------------------------------


def session_check_limits(
    *, session_id: int, capacity: int, max_per_organisation: int | None
) -> None:
    """Refuse a capacity or per-organisation cap below what is already registered.

    Opens its own transaction; called inside the one that saves the change (the admin's),
    the session stays locked until that one ends.
    """
    with transaction.atomic():
        session = lock_session(session_id)
        registered = Enrolment.objects.filter(session=session).registered()
        count = registered.count()
        if capacity < count:
            raise LimitTooLow(
                _(
                    "Er zijn al %(count)s deelnemers ingeschreven; het maximum kan niet lager "
                    "dan %(count)s. Annuleer eerst inschrijvingen als er minder mensen mee kunnen."
                )
                % {"count": count}
            )
        if max_per_organisation is not None:
            largest = (
                registered.values("organisation").annotate(n=Count("pk")).order_by("-n").first()
            )
            if largest and largest["n"] > max_per_organisation:
                raise LimitTooLow(
                    _(
                        "%(organisation)s heeft al %(count)s ingeschreven deelnemers; het "
                        "maximum per organisatie kan niet lager dan %(count)s."
                    )
                    % {"organisation": largest["organisation"], "count": largest["n"]}
                )


# -- Going ahead or not (rule 4) -------------------------------------------------------------


def _notify_all(
    session: Session, kind: str, *, cancel_days: list[SessionDay] | None = None, **extra
) -> int:
    """Mail everyone enrolled or waiting. cancel_days: people with a place also get a
    METHOD:CANCEL for these days, whose SEQUENCE the caller has already raised."""
    enrolments = (
        Enrolment.objects.filter(session=session)
        .active()
        .with_waitlist_position()
        .select_related("session__course", "session__location")
    )
    count = 0
    for enrolment in enrolments:
        queue_notice(
            kind,
            enrolment,
            cancel_days=cancel_days if enrolment.status == REGISTERED else None,
            position=enrolment.waitlist_position,
            **extra,
        )
        count += 1
    return count


def _confirm(session: Session, now: datetime.datetime) -> None:
    session.status = Session.Status.CONFIRMED
    session.decided_at = now
    session.save(update_fields=["status", "decided_at", "updated_at"])
    _notify_all(session, "session_confirmed")


def _cancel(session: Session, now: datetime.datetime, reason: str) -> None:
    session.status = Session.Status.CANCELLED
    session.decided_at = now
    session.cancellation_reason = reason
    session.save(update_fields=["status", "decided_at", "cancellation_reason", "updated_at"])
    # Every day is now CANCELLED: a new version in the feed and in the mails below.
    session_days_revise(day_ids=session.days.values_list("pk", flat=True), now=now)
    days = list(SessionDay.objects.filter(session=session))  # their new SEQUENCE
    for day in days:
        day.session = session
    _notify_all(session, "session_cancelled", cancel_days=days, reason=reason)


# The outcome in the subject of the adviser's summary ("Besluit over … : gaat door").
OUTCOME_LABELS = {
    Session.Status.CONFIRMED: gettext_lazy("gaat door"),
    Session.Status.CANCELLED: gettext_lazy("geannuleerd"),
}


def _queue_adviser_summary(session: Session, *, registered: int, waiting: int) -> None:
    """Tell the session's adviser what the deadline decided, with the counts it was decided
    on and a link to the session in the admin. Nobody to tell: nothing is queued."""
    adviser = session.adviser
    if adviser is None or not adviser.email:
        return
    language = settings.LANGUAGE_CODE  # the admin's language, not that of any participant
    with translation.override(language):
        outcome = str(OUTCOME_LABELS[session.status])
    queue_email(
        kind="session_decided",
        to=adviser.email,
        language=language,
        context={
            "session": session,
            "session_status": session.status,
            "registered": registered,
            "waiting": waiting,
            "reason": session.cancellation_reason,
            "admin_url": settings.SITE_URL
            + reverse("admin:trainings_session_change", args=[session.pk]),
            "subject": {"outcome": outcome},
        },
    )


def session_decide(*, session_id: int, now: datetime.datetime | None = None) -> str | None:
    """At the deadline: confirmed with enough registrations, cancelled without; everyone is
    told, and the adviser gets a summary. Returns the new status, or None if there was
    nothing to decide (idempotent)."""
    with transaction.atomic():
        session = lock_session(session_id)
        now = now or timezone.now()
        if session.status != Session.Status.SCHEDULED or session.closes_at is None:
            return None
        if session.closes_at > now:
            return None
        counts = Enrolment.objects.filter(session=session).aggregate(
            registered=Count("pk", filter=Q(status=REGISTERED)),
            waiting=Count("pk", filter=Q(status=WAITLISTED)),
        )
        registered = counts["registered"]
        if registered >= session.min_participants:
            _confirm(session, now)
        else:
            _cancel(
                session,
                now,
                _(
                    "Er waren bij het sluiten van de inschrijving te weinig aanmeldingen: "
                    "%(count)s, en er zijn er minimaal %(minimum)s nodig."
                )
                % {"count": registered, "minimum": session.min_participants},
            )
        _queue_adviser_summary(session, registered=registered, waiting=counts["waiting"])
        return session.status


def session_confirm(*, session_id: int) -> bool:
    """Let a session go ahead now (adviser's decision). False if it already was confirmed."""
    with transaction.atomic():
        session = lock_session(session_id)
        if session.status == Session.Status.CANCELLED:
            raise DecisionNotAllowed
        if session.status == Session.Status.CONFIRMED:
            return False
        _confirm(session, timezone.now())
        return True


def session_cancel(*, session_id: int, reason: str) -> bool:
    """Cancel a session and tell everyone enrolled. False if it already was cancelled."""
    with transaction.atomic():
        session = lock_session(session_id)
        if session.status == Session.Status.CANCELLED:
            return False
        _cancel(session, timezone.now(), reason.strip())
        return True


def session_schedule_changed(*, session_id: int, removed: list[SessionDay] = ()) -> int:
    """Days of a session moved, were added or removed, or its place changed (the days'
    SEQUENCE already raised): mail everyone with a place the new schedule as METHOD:PUBLISH,
    and a METHOD:CANCEL for the removed days (read before they were deleted). The waiting
    list has no calendar file and hears when a place comes. Returns how many were mailed."""
    with transaction.atomic():
        session = lock_session(session_id)
        if session.status == Session.Status.CANCELLED:
            return 0  # everyone was told, and their calendars cleared, already
        enrolments = Enrolment.objects.filter(session=session, status=REGISTERED).order_by(
            "created_at", "pk"
        )
        removed = sorted(removed, key=lambda day: (day.date, day.start_time))
        for day in removed:  # deleted now: this cancellation is their last version
            day.session = session
            day.calendar_sequence += 1
        count = 0
        for enrolment in enrolments:
            enrolment.session = session  # the locked row: the days are read once for all
            queue_notice(
                "session_changed",
                enrolment,
                with_calendar=True,
                cancel_days=removed or None,
                removed_days=removed,
            )
            count += 1
        return count


def sessions_to_decide(now: datetime.datetime | None = None):
    """Scheduled sessions whose registration deadline (or start) has passed."""
    now = now or timezone.now()
    return (
        Session.objects.filter(status=Session.Status.SCHEDULED, starts_at__isnull=False)
        .alias_closes_at()
        .filter(closes_at__lte=now)
        .order_by("starts_at", "pk")
    )
