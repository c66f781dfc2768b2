"""The advisers' workplace: which sessions will go ahead, which are at risk, what to plan."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Exists, OuterRef, Q
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from enrolments.models import SessionRequest
from trainings.models import Course, Session

AT_RISK_WITHIN = datetime.timedelta(days=7)
PERIODS = (4, 8, 12, 26)
DEFAULT_WEEKS = 8


@dataclass
class SessionRow:
    session: Session
    at_risk: bool
    full_with_waitlist: bool
    below_minimum: bool


def session_rows(now: datetime.datetime, weeks: int) -> list[SessionRow]:
    sessions = (
        Session.objects.upcoming(now)
        .not_cancelled()
        .filter(starts_at__lte=now + datetime.timedelta(weeks=weeks))
        .select_related("course", "location")
        .with_counts()
        .order_by("starts_at", "pk")
    )
    rows = []
    for session in sessions:
        below = session.needs_more_registrations > 0
        rows.append(
            SessionRow(
                session=session,
                below_minimum=below,
                at_risk=below and session.closes_at <= now + AT_RISK_WITHIN,
                full_with_waitlist=session.is_full and session.waitlisted_count > 0,
            )
        )
    return rows


def courses_with_interest_but_no_session(now: datetime.datetime):
    open_session = Session.objects.open_for_registration(now).filter(course=OuterRef("pk"))
    return (
        Course.objects.annotate(waiting=Count("interests", filter=Q(interests__notified_at=None)))
        .filter(waiting__gt=0)
        .exclude(Exists(open_session))
        .order_by("-waiting", "title")
        .only("title", "slug")
    )


def dashboard(request):
    if not request.user.has_perm("trainings.view_session"):
        raise PermissionDenied
    now = timezone.now()
    try:
        weeks = int(request.GET.get("weeks", DEFAULT_WEEKS))
    except ValueError:
        weeks = DEFAULT_WEEKS
    if weeks not in PERIODS:
        weeks = DEFAULT_WEEKS
    rows = session_rows(now, weeks)
    new_requests = list(
        SessionRequest.objects.filter(status=SessionRequest.Status.NEW)
        .select_related("course")
        .order_by("created_at")[:20]
    )
    context = {
        **admin.site.each_context(request),
        "title": _("Werkplek: sessies van de komende weken"),
        "rows": rows,
        "weeks": weeks,
        "periods": PERIODS,
        "at_risk": [row for row in rows if row.at_risk],
        "full": [row for row in rows if row.full_with_waitlist],
        "interest_courses": list(courses_with_interest_but_no_session(now)),
        "new_requests": new_requests,
        "at_risk_days": AT_RISK_WITHIN.days,
    }
    return TemplateResponse(request, "admin/enrolments/dashboard.html", context)
