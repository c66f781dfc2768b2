"""The attendance page: a trainer or adviser taps present, absent or excused per person.

Every tap is a plain form post that saves at once (and comes back to the same place on the
page); with JavaScript the page posts in the background and keeps taps made without a
connection until it is back (static/js/attendance.js).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from enrolments.access import staff_permission_required
from enrolments.exports.views import can_export, surname_sort_key
from enrolments.models import Attendance, Enrolment
from enrolments.settlement.attendance import (
    AttendanceNotAllowed,
    attendance_mark,
    attendance_mark_unmarked,
    may_mark_attendance,
)
from trainings.models import Session, SessionDay

ATTENDANCE_PERMISSION = "enrolments.mark_attendance"
# Three buttons side by side on a phone: one word each.
SHORT_LABELS = {Attendance.Status.EXCUSED: gettext_lazy("Afgemeld")}


attendance_permission_required = staff_permission_required(ATTENDANCE_PERMISSION)


def _choose_day(days: list[SessionDay], requested: str | None, today) -> SessionDay:
    by_id = {str(day.pk): day for day in days}
    if requested in by_id:
        return by_id[requested]
    started = [day for day in days if day.date <= today]
    return started[-1] if started else days[0]


def _counts(people, day_marks) -> dict:
    counts = dict.fromkeys(Attendance.Status.values, 0)
    for person in people:
        mark = day_marks.get(person.pk)
        if mark:
            counts[mark] += 1
    counts["unmarked"] = len(people) - sum(counts.values())
    return counts


def _wants_json(request: HttpRequest) -> bool:
    return request.headers.get("X-Requested-With") == "fetch"


@never_cache  # personal data: no browser or proxy may keep a copy
@require_http_methods(["GET", "POST"])
@attendance_permission_required
def attendance_page(request: HttpRequest, session_id: int) -> HttpResponse:
    session = get_object_or_404(
        Session.objects.select_related("course", "location").prefetch_related("days"),
        pk=session_id,
    )
    if not may_mark_attendance(request.user, session):
        raise PermissionDenied  # a trainer sees their own sessions only
    days = list(session.days.all())
    if not days:
        return render(
            request, "enrolments/attendance.html", {"session": session, "days": []}, status=404
        )
    today = timezone.localtime(timezone.now(), session.location.tzinfo).date()
    day = _choose_day(days, request.POST.get("day") or request.GET.get("dag"), today)
    error = None
    if request.method == "POST":
        status = request.POST.get("status", "")
        target = request.POST.get("enrolment", "")
        try:
            if request.POST.get("day") != str(day.pk):
                raise AttendanceNotAllowed(_("Deze dag hoort niet bij deze sessie."))
            if target == "unmarked":
                attendance_mark_unmarked(day_id=day.pk, status=status, by_user=request.user)
            else:
                enrolment = Enrolment.objects.filter(session=session, pk=int(target)).first()
                if enrolment is None:
                    raise AttendanceNotAllowed(_("Deze deelnemer hoort niet bij deze sessie."))
                attendance_mark(
                    enrolment_id=enrolment.pk, day_id=day.pk, status=status, by_user=request.user
                )
        except (AttendanceNotAllowed, ValueError) as problem:
            error = getattr(problem, "message", None) or _("Onbekende deelnemer.")
            if _wants_json(request):
                return JsonResponse({"error": error}, status=400)
        else:
            if _wants_json(request):
                people = list(Enrolment.objects.filter(session=session).registered())
                marks = dict(
                    Attendance.objects.filter(day=day, enrolment__in=people).values_list(
                        "enrolment_id", "status"
                    )
                )
                return JsonResponse({"ok": True, "counts": _counts(people, marks)})
            anchor = f"#p-{target}" if target.isdigit() else ""
            return redirect(f"{request.path}?dag={day.pk}{anchor}")
    people = sorted(
        Enrolment.objects.filter(session=session)
        .registered()
        .prefetch_related(
            Prefetch("attendance", queryset=Attendance.objects.filter(day=day), to_attr="marks")
        ),
        key=lambda person: (surname_sort_key(person.last_name), person.first_name.casefold()),
    )
    day_marks = {person.pk: person.marks[0].status for person in people if person.marks}
    for person in people:
        person.mark = day_marks.get(person.pk, "")
    return render(
        request,
        "enrolments/attendance.html",
        {
            "session": session,
            "days": days,
            "day": day,
            "day_number": days.index(day) + 1,
            "people": people,
            "counts": _counts(people, day_marks),
            "statuses": [
                (value, label, SHORT_LABELS.get(value, label))
                for value, label in Attendance.Status.choices
            ],
            "error": error,
            "day_is_future": day.date > today,
            "can_print": can_export(request.user) or may_mark_attendance(request.user, session),
        },
        status=400 if error else 200,
    )
