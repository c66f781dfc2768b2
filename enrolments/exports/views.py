"""Downloads for coordinators and advisers: enrolment lists and the attendance list."""

from __future__ import annotations

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import FileResponse, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from enrolments.access import has_staff_permission, staff_permission_required
from enrolments.exports.formats import csv_stream, rows, xlsx_file
from enrolments.models import Enrolment
from enrolments.settlement.attendance import may_mark_attendance
from trainings.models import Session

EXPORT_PERMISSION = "enrolments.export_enrolments"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def can_export(user) -> bool:
    return has_staff_permission(user, EXPORT_PERMISSION)


export_permission_required = staff_permission_required(EXPORT_PERMISSION)


# Lowercase particles do not count when sorting Dutch surnames: "de Groot" is under G.
# (Capitalised ones, as in Flemish "De Smet", are part of the name and do count.)
PARTICLES = (
    "van der ",
    "van den ",
    "van de ",
    "van ",
    "de ",
    "der ",
    "den ",
    "ter ",
    "ten ",
    "te ",
    "'t ",
    "in 't ",
    "op de ",
    "uit de ",
)


def surname_sort_key(last_name: str) -> str:
    for particle in PARTICLES:
        if last_name.startswith(particle):
            return last_name[len(particle) :].casefold()
    return last_name.casefold()


def export_filename(sessions: list[Session], extension: str) -> str:
    courses = {session.course.slug for session in sessions}
    if len(sessions) == 1 and sessions[0].starts_at:
        day = timezone.localtime(sessions[0].starts_at).date()
    else:
        day = timezone.localdate()
    stem = f"inschrijvingen-{courses.pop()}" if len(courses) == 1 else "inschrijvingen"
    return f"{stem}-{day:%Y-%m-%d}.{extension}"


def export_response(
    enrolments: QuerySet, sessions: list[Session], fmt: str, delimiter: str = ","
) -> HttpResponse:
    """Stream the enrolments as CSV or XLSX, named after the course and date."""
    filename = export_filename(sessions, fmt)
    if fmt == "csv":
        response = StreamingHttpResponse(
            csv_stream(rows(enrolments), delimiter=delimiter),
            content_type="text/csv; charset=utf-8",
        )
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
    courses = {session.course.title for session in sessions}
    title = courses.pop() if len(courses) == 1 else "Inschrijvingen"
    return FileResponse(
        xlsx_file(rows(enrolments), title),
        as_attachment=True,
        filename=filename,
        content_type=XLSX_TYPE,
    )


def _session(session_id: int) -> Session:
    return get_object_or_404(Session.objects.select_related("course", "location"), pk=session_id)


@never_cache  # personal data: no browser or proxy may keep a copy
@require_safe
@export_permission_required
def session_export(request: HttpRequest, session_id: int, fmt: str) -> HttpResponse:
    session = _session(session_id)
    delimiter = ";" if request.GET.get("delimiter") == "semicolon" else ","
    return export_response(Enrolment.objects.filter(session=session), [session], fmt, delimiter)


# On paper the first and the last rows of the attendance list stay together (print.css), so
# that no page holds a lone name: the title and the facts keep their first rows, and the last
# page starts with at least this many names above the blank rows and the signature line.
KEEP_TOGETHER = 3


def attendance_row_groups(people: list[Enrolment]) -> list[dict]:
    """The numbered rows of the list in table sections: kept together, or free to break."""
    numbered = list(enumerate(people, start=1))
    if len(numbered) <= 2 * KEEP_TOGETHER:
        return [{"rows": numbered, "keep": True}]
    return [
        {"rows": numbered[:KEEP_TOGETHER], "keep": True},
        {"rows": numbered[KEEP_TOGETHER:-KEEP_TOGETHER], "keep": False},
        {"rows": numbered[-KEEP_TOGETHER:], "keep": True},
    ]


@never_cache  # personal data: no browser or proxy may keep a copy
@require_safe
def attendance_list(request: HttpRequest, session_id: int) -> HttpResponse:
    """The printable list: for whoever may export the enrolments, and for the session's own
    trainer (not for trainers of other sessions)."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path(), reverse("admin:login"))
    session = get_object_or_404(Session.objects.for_listing(), pk=session_id)
    if not (can_export(request.user) or may_mark_attendance(request.user, session)):
        raise PermissionDenied
    people = sorted(
        Enrolment.objects.filter(session=session).registered(),
        key=lambda person: (surname_sort_key(person.last_name), person.first_name.casefold()),
    )
    days = list(session.days.all())
    return render(
        request,
        "enrolments/attendance_list.html",
        {
            "session": session,
            "row_groups": attendance_row_groups(people),
            "days": days,
            "columns": 3 + len(days),
            "blank_rows": range(3),
        },
    )
