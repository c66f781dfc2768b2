"""What each enrolment costs its organisation, worked out after the session.

The rules, for an adviser (README, "Terms and costs"):

- a course without a price per participant costs nobody anything;
- a place cancelled in time costs nothing; a late cancellation costs the price per participant;
- someone still on the waiting list when the session took place pays nothing;
- with a "free under condition" price, staff of an eligible organisation (type, country) who
  attend at least the minimum share of the days pay the condition's amount (nothing, or a
  reduced price); absences justified within the window after the last day count as attended;
  otherwise, and for organisations that are not eligible, the price per participant is due;
- without such a condition the price per participant is due, whether or not the person came.

Outcomes are stored on the enrolment so that exports read them in one query; they are worked
out again whenever attendance, a cancellation or an organisation's type changes, and every day
by `manage.py settle_costs` while absences can still be justified.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.db.models import prefetch_related_objects
from django.utils import timezone

from enrolments.models import Attendance, CostOutcome, CostReason, Enrolment, Organisation
from trainings.models import Price, Session

ZERO = Decimal("0.00")
# Sessions that ended this many days ago or less have their costs worked out again (by
# settle_costs every day, and when an organisation's type or country changes): absences
# may still be justified until then.
SETTLE_WITHIN_DAYS = 120


@dataclass(frozen=True)
class Decision:
    outcome: str
    amount: Decimal | None
    reason: str
    open_until: datetime.date | None = None


@dataclass(frozen=True)
class CourseTerms:
    """The prices of a course, as far as they decide what a participant costs."""

    participant_price: Decimal | None
    condition: Price | None

    @classmethod
    def of_course(cls, course) -> CourseTerms:
        """What a place in a session of this course costs, as the enrolment form and the
        confirmation mail state it (one query unless the prices were prefetched)."""
        return cls.of(course.prices.all())

    @classmethod
    def of(cls, prices) -> CourseTerms:
        participant = next((p.amount for p in prices if p.kind == Price.Kind.PER_PARTICIPANT), None)
        condition = next((p for p in prices if p.kind == Price.Kind.FREE_UNDER_CONDITION), None)
        return cls(participant, condition)


def decide(
    *,
    enrolment: Enrolment,
    terms: CourseTerms,
    organisation: Organisation | None,
    days: list,
    attendance: dict[int, Attendance],
    last_day: datetime.date,
    tz,
) -> Decision:
    """The cost of one enrolment in a session that took place."""
    price = terms.participant_price
    charged = Decision(CostOutcome.CHARGED, price, CostReason.PARTICIPANT_PRICE)
    if enrolment.status == Enrolment.Status.WAITLISTED:
        return Decision(CostOutcome.FREE, ZERO, CostReason.NOT_PLACED)
    if enrolment.status == Enrolment.Status.CANCELLED:
        if not enrolment.cancelled_late:
            return Decision(CostOutcome.FREE, ZERO, CostReason.CANCELLED_IN_TIME)
        if not price:
            return Decision(CostOutcome.FREE, ZERO, CostReason.NO_PARTICIPANT_PRICE)
        return Decision(CostOutcome.CHARGED, price, CostReason.LATE_CANCELLATION)
    if not price:
        return Decision(CostOutcome.FREE, ZERO, CostReason.NO_PARTICIPANT_PRICE)
    condition = terms.condition
    if condition is None:
        return charged
    org_type = organisation.type if organisation else ""
    country = organisation.country if organisation else ""
    if (condition.eligible_types and not org_type) or (condition.eligible_country and not country):
        return Decision(CostOutcome.PENDING, None, CostReason.UNCLASSIFIED)
    if not condition.is_eligible(org_type, country):
        return Decision(CostOutcome.CHARGED, price, CostReason.NOT_ELIGIBLE)
    benefit_amount = condition.amount or ZERO
    benefit = CostOutcome.REDUCED if benefit_amount else CostOutcome.FREE
    if not condition.min_attendance:
        return Decision(benefit, benefit_amount, CostReason.CONDITION_MET)
    open_until = last_day + datetime.timedelta(days=condition.justification_days)
    marks = [attendance[day.pk] for day in days if day.pk in attendance]
    if not marks:
        return Decision(CostOutcome.PENDING, None, CostReason.ATTENDANCE_UNKNOWN, open_until)
    present = sum(1 for mark in marks if mark.status == Attendance.Status.PRESENT)
    justified = sum(
        1
        for mark in marks
        if mark.status == Attendance.Status.EXCUSED
        and timezone.localtime(mark.marked_at, tz).date() <= open_until
    )
    needed = condition.min_attendance * len(days)  # compare in whole percents, no rounding
    if present * 100 >= needed:
        return Decision(benefit, benefit_amount, CostReason.CONDITION_MET)
    if (present + justified) * 100 >= needed:
        return Decision(benefit, benefit_amount, CostReason.JUSTIFIED_ABSENCE)
    return Decision(CostOutcome.CHARGED, price, CostReason.BELOW_MINIMUM, open_until)


def session_costs_settle(*, session_id: int, now: datetime.datetime | None = None) -> int:
    """Store the cost outcome of every enrolment of a session that has ended; returns how
    many enrolments it looked at. Idempotent (an unchanged outcome is not written again); a
    cancelled or future session is left alone. Locks the session first, as every write to
    its enrolments does, so a cancellation or promotion cannot change them halfway."""
    now = now or timezone.now()
    with transaction.atomic():
        session = Session.objects.lock(session_id)
        if session.is_cancelled or session.ends_at is None or session.ends_at > now:
            return 0
        prefetch_related_objects([session], "days", "course__prices")
        days = list(session.days.all())
        tz = session.location.tzinfo
        terms = CourseTerms.of(session.course.prices.all())
        enrolments = list(
            Enrolment.objects.filter(session=session)
            .select_for_update()
            .prefetch_related("attendance")
            .order_by("pk")
        )
        organisations = {
            o.key: o
            for o in Organisation.objects.filter(key__in={e.organisation_key for e in enrolments})
        }
        changed = []
        for enrolment in enrolments:
            decision = decide(
                enrolment=enrolment,
                terms=terms,
                organisation=organisations.get(enrolment.organisation_key),
                days=days,
                attendance={mark.day_id: mark for mark in enrolment.attendance.all()},
                last_day=days[-1].date if days else timezone.localtime(session.ends_at, tz).date(),
                tz=tz,
            )
            stored = (
                enrolment.cost_outcome,
                enrolment.cost_amount,
                enrolment.cost_reason,
                enrolment.cost_open_until,
            )
            if stored == (decision.outcome, decision.amount, decision.reason, decision.open_until):
                continue  # unchanged: keep the moment it was decided
            enrolment.cost_outcome = decision.outcome
            enrolment.cost_amount = decision.amount
            enrolment.cost_reason = decision.reason
            enrolment.cost_open_until = decision.open_until
            enrolment.cost_settled_at = now
            changed.append(enrolment)
        Enrolment.objects.bulk_update(
            changed,
            ["cost_outcome", "cost_amount", "cost_reason", "cost_open_until", "cost_settled_at"],
            batch_size=500,
        )
    return len(enrolments)


def sessions_to_settle(now: datetime.datetime, *, within_days: int = SETTLE_WITHIN_DAYS):
    """Sessions that ended lately: their absences may still be justified."""
    return Session.objects.not_cancelled().filter(
        ends_at__lte=now, ends_at__gte=now - datetime.timedelta(days=within_days)
    )
