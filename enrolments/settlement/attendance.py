"""Who was there: attendance per session day, marked by advisers and trainers."""

from __future__ import annotations

import re

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from enrolments.models import Attendance, Enrolment
from enrolments.places.services import EnrolmentError
from enrolments.settlement.costs import session_costs_settle
from trainings.models import Session, SessionDay

# "Anna de Vries, Piet Jansen", "Anna & Piet", "Anna en Piet": each name counts.
TRAINER_SEPARATORS = re.compile(r"\s*(?:[,;/&+]|\s(?:en|and|et)\s)\s*", re.IGNORECASE)


class AttendanceNotAllowed(EnrolmentError):
    pass


def sees_every_session(user) -> bool:
    """Advisers (the POI-adviseurs group, superusers) plan the sessions and could name
    themselves trainer of any, so whoever may change sessions sees them all."""
    return user.is_active and user.has_perm("trainings.change_session")


def _name_key(name: str) -> str:
    return " ".join(name.split()).casefold()


def trains(user, session: Session) -> bool:
    """Whether the session's trainer (a name as the adviser typed it) is this user: their full
    name, user name or e-mail address, ignoring case and spacing; one of several names counts."""
    if not (user.is_authenticated and session.trainer.strip()):
        return False
    own = {
        _name_key(name)
        for name in (user.get_full_name(), user.get_username(), user.email)
        if name and name.strip()
    }
    named = {_name_key(session.trainer)} | {
        _name_key(part) for part in TRAINER_SEPARATORS.split(session.trainer) if part.strip()
    }
    return not own.isdisjoint(named)


def may_mark_attendance(user, session: Session) -> bool:
    """Trainers mark their own sessions; advisers every session."""
    return (
        user.is_active
        and user.is_staff
        and user.has_perm("enrolments.mark_attendance")
        and (sees_every_session(user) or trains(user, session))
    )


def attendance_mark(
    *,
    enrolment_id: int,
    day_id: int,
    status: str,
    by_user: AbstractBaseUser | None = None,
    settle: bool = True,
) -> Attendance:
    """Record present, absent or excused for one person on one day. Tapping the same status
    again changes nothing (an excuse keeps the moment it was first given). After the session
    the costs of the session are worked out again."""
    if status not in Attendance.Status.values:
        raise AttendanceNotAllowed(_("Kies aanwezig, afwezig of afwezig met verantwoording."))
    session_id = Enrolment.objects.values_list("session_id", flat=True).get(pk=enrolment_id)
    with transaction.atomic():
        # The session first, as in every write to its enrolments; then read them under it.
        session = Session.objects.lock(session_id)
        enrolment = Enrolment.objects.get(pk=enrolment_id)
        enrolment.session = session
        day = SessionDay.objects.get(pk=day_id, session_id=session_id)
        if not enrolment.is_registered:
            raise AttendanceNotAllowed(
                _("Aanwezigheid geldt alleen voor ingeschreven deelnemers, niet voor %(status)s.")
                % {"status": enrolment.get_status_display().lower()}
            )
        today = timezone.localtime(timezone.now(), session.location.tzinfo).date()
        if status != Attendance.Status.EXCUSED and day.date > today:
            raise AttendanceNotAllowed(
                _("Aanwezig of afwezig kan pas vanaf de dag zelf; een afmelding vooraf wel.")
            )
        mark = Attendance.objects.select_for_update().filter(enrolment=enrolment, day=day).first()
        if mark is not None and mark.status == status:
            return mark
        if mark is None:
            mark = Attendance(enrolment=enrolment, day=day)
        mark.status = status
        mark.marked_at = timezone.now()
        mark.marked_by = by_user if by_user is not None and by_user.is_authenticated else None
        mark.save()
    if settle:
        session_costs_settle(session_id=enrolment.session_id)  # nothing happens before the end
    return mark


def attendance_mark_unmarked(
    *, day_id: int, status: str, by_user: AbstractBaseUser | None = None
) -> int:
    """Give everyone registered who has no mark for this day yet the same status (the
    trainer's "everyone else was there"). Returns how many were marked."""
    day = SessionDay.objects.get(pk=day_id)
    unmarked = (
        Enrolment.objects.filter(session_id=day.session_id)
        .registered()
        .exclude(attendance__day=day)
        .values_list("pk", flat=True)
    )
    count = 0
    for enrolment_id in list(unmarked):
        attendance_mark(
            enrolment_id=enrolment_id, day_id=day.pk, status=status, by_user=by_user, settle=False
        )
        count += 1
    if count:
        session_costs_settle(session_id=day.session_id)
    return count
