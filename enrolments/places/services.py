"""Everything that takes or frees a place in a session: the rules of SPEC "Rules the
enrolments app enforces", for the public site and the admin alike. Its neighbours build on
it: groups.py (group forms), decisions.py (a session goes ahead or not, capacity changes),
interest.py (interest and requests), notices.py (the mails to enrolled people).

Each function runs in one transaction that locks the session row before it counts anything
(PostgreSQL: SELECT … FOR UPDATE; SQLite: the IMMEDIATE transaction holds the write lock), so
two requests can never both see the last free place. Because every write to a session's
enrolments goes through here, the session lock serialises them all. E-mails are queued in the
same transaction and sent after commit.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.db.models import Count, Min, OuterRef, Q, Subquery, Value
from django.db.models.functions import Lower
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from enrolments.models import (
    Enrolment,
    EnrolmentEvent,
    EnrolmentGroup,
    Organisation,
    QueuedEmail,
    active_condition,
    organisation_key,
)
from enrolments.places.notices import queue_notice
from trainings.models import Session
from trainings.precompiled import Precompiled
from trainings.services import session_days_withdraw
from trainings.signals import places_changed

REGISTERED = Enrolment.Status.REGISTERED
WAITLISTED = Enrolment.Status.WAITLISTED
CANCELLED = Enrolment.Status.CANCELLED

# A second attempt with the same address mails the existing enrolment, but not right after
# the first (a double click) and not over and over (someone typing another's address).
DUPLICATE_MAIL_GRACE = datetime.timedelta(minutes=2)
DUPLICATE_MAIL_INTERVAL = datetime.timedelta(minutes=30)


# -- Domain errors: each carries the Dutch message a person sees -----------------------------


class EnrolmentError(Exception):
    default_message = gettext_noop("Inschrijven is op dit moment niet mogelijk.")

    def __init__(self, message: str | None = None):
        self.message = message or _(self.default_message)
        super().__init__(self.message)


class SessionCancelled(EnrolmentError):
    default_message = gettext_noop("Deze sessie is geannuleerd; inschrijven is niet meer mogelijk.")


class SessionStarted(EnrolmentError):
    default_message = gettext_noop("Deze sessie is al begonnen; inschrijven is niet meer mogelijk.")


class RegistrationClosed(EnrolmentError):
    default_message = gettext_noop("De inschrijving voor deze sessie is gesloten.")


class ReservedSession(EnrolmentError):
    default_message = gettext_noop("Deze sessie is gereserveerd voor één organisatie.")


class AlreadyEnrolled(EnrolmentError):
    default_message = gettext_noop("Dit e-mailadres is al ingeschreven voor deze sessie.")


class LimitTooLow(EnrolmentError):
    default_message = gettext_noop("Er zijn al meer inschrijvingen dan dit maximum toelaat.")


class DecisionNotAllowed(EnrolmentError):
    default_message = gettext_noop(
        "Een geannuleerde sessie kan niet meer doorgaan. Plan een nieuwe sessie."
    )


@dataclass(frozen=True)
class Outcome:
    """Where a person ends up: registered, or waitlisted at a position (1 = next in line)."""

    status: str
    position: int | None = None


@dataclass(frozen=True)
class EnrolmentResult:
    outcome: Outcome
    enrolment: Enrolment | None  # None when the address was already enrolled (see rule 6)

    @property
    def created(self) -> bool:
        return self.enrolment is not None


# -- Helpers ---------------------------------------------------------------------------------


def _actor(user: AbstractBaseUser | None):
    return user if user is not None and user.is_authenticated else None


def record(enrolment: Enrolment, kind: str, *, before: str = "", actor=None, note: str = ""):
    """Add a line to the enrolment's audit trail."""
    EnrolmentEvent.objects.create(
        enrolment=enrolment,
        kind=kind,
        from_status=before,
        to_status=enrolment.status,
        actor=_actor(actor),
        note=note[:300],
    )


def lock_session(session_id: int, only: tuple[str, ...] = ()) -> Session:
    """Lock the session row first (see SessionQuerySet.lock); raises
    TransactionManagementError outside transaction.atomic()."""
    return Session.objects.lock(session_id, only)


# What placing one person reads of the locked session: the rules' columns and the course's
# slug (the page versions a new place moves). The mails hold the session as a reference; the
# worker reads the rest. Not the whole course row: its search data alone is kilobytes.
PLACING_COLUMNS = (
    "status",
    "starts_at",
    "registration_deadline",
    "capacity",
    "max_per_organisation",
    "reserved_for",
    "invitation_code",
    "course__slug",
)


# Placing a person reads, in one query compiled once: the session's registered and waiting
# counts, its registered people from the person's organisation, and the lowest id of an
# active enrolment with the person's address, whatever its case (LOWER on both sides, as the
# unique constraint compares them). No row when the session has no enrolments yet.
PLACEMENT = Precompiled(
    lambda session, organisation, email: (
        Enrolment.objects.filter(session_id=session)
        .alias(email_lower=Lower("email"))
        .order_by()
        .values("session_id")
        .annotate(
            registered=Count("pk", filter=Q(status=REGISTERED)),
            waitlisted=Count("pk", filter=Q(status=WAITLISTED)),
            organisation=Count("pk", filter=Q(status=REGISTERED, organisation_key=organisation)),
            existing=Min(
                "pk",
                filter=active_condition() & Q(email_lower=Lower(Value(email))),
            ),
        )
        .values_list("registered", "waitlisted", "organisation", "existing")
    )
)

# The enrolment PLACEMENT found, with its waitlist position and when the last "you were
# already enrolled" mail for it was queued (not one suppressed).
EXISTING = Precompiled(
    lambda pk: (
        Enrolment.objects.filter(pk=pk)
        .with_waitlist_position()
        .annotate(
            repeat_mailed_at=Subquery(
                QueuedEmail.objects.filter(enrolment=OuterRef("pk"), kind="already_enrolled")
                .exclude(status=QueuedEmail.Status.SUPPRESSED)
                .order_by("-created_at")
                .values("created_at")[:1]
            )
        )
        .order_by()
    )
)


def _format_moment(moment: datetime.datetime) -> str:
    return formats.date_format(timezone.localtime(moment), "j F Y, H:i")


def check_open(session: Session, now: datetime.datetime, *, public: bool) -> None:
    if session.status == Session.Status.CANCELLED:
        raise SessionCancelled
    if session.starts_at is None or session.starts_at <= now:
        raise SessionStarted
    if public and session.closes_at <= now:
        raise RegistrationClosed(
            _("De inschrijving voor deze sessie is gesloten sinds %(moment)s.")
            % {"moment": _format_moment(session.closes_at)}
        )


def check_reservation(
    session: Session, key: str, invitation_code: str, *, public: bool = True
) -> None:
    if not session.reserved_for or key == organisation_key(session.reserved_for):
        return
    code = session.invitation_code.strip().casefold()
    if code and invitation_code.strip().casefold() == code:
        return
    if not public:  # an adviser may know which organisation
        raise ReservedSession(
            _("Deze sessie is gereserveerd voor %(organisation)s.")
            % {"organisation": session.reserved_for}
        )
    # Never name the organisation to the public: that tells anyone whose people attend.
    raise ReservedSession(
        _(
            "Deze sessie is gereserveerd voor één organisatie. Werk je daar, vul dan de naam "
            "van je organisatie in; heb je een uitnodigingscode gekregen, vul die in."
        )
    )


def _placement(session: Session, organisation: str, email: str) -> tuple[Outcome, int | None]:
    """The outcome a new person from this organisation would get now, and the id of the
    active enrolment with this address, if there is one."""
    found = PLACEMENT.first(session=session.pk, organisation=organisation, email=email)
    registered, waitlisted, same_organisation, existing = found or (0, 0, 0, None)
    cap = session.max_per_organisation
    if registered < session.capacity and (cap is None or same_organisation < cap):
        return Outcome(REGISTERED), existing
    return Outcome(WAITLISTED, waitlisted + 1), existing


def _queue_outcome(enrolment: Enrolment, outcome: Outcome) -> None:
    if outcome.status == REGISTERED:
        queue_notice("registered", enrolment, with_calendar=True)
    else:
        queue_notice(
            "waitlisted",
            enrolment,
            position=outcome.position,
            subject={"position": outcome.position},
        )


def _mail_existing(existing: Enrolment, now: datetime.datetime) -> None:
    """Answer a second attempt with the same address (rule 6) with the same work as a new
    enrolment: one audit line, one rendered and stored mail, the same number of queries.
    Whether the browser waited for a new row or not must not show in the time it takes."""
    last = existing.repeat_mailed_at  # read with the enrolment (EXISTING)
    recently = last is not None and last > now - DUPLICATE_MAIL_INTERVAL
    with transaction.atomic():  # as the INSERT of a new enrolment
        record(existing, EnrolmentEvent.Kind.REPEATED, before=existing.status)
    # As a new enrolment does.
    places_changed.send(sender=Session, course_slug=existing.session.course.slug)
    # Not right after the first (a double click) and not over and over (someone typing
    # another's address): the mail is still rendered and stored, but not sent.
    send = not recently and existing.created_at <= now - DUPLICATE_MAIL_GRACE
    queue_notice(
        "already_enrolled",
        existing,
        with_calendar=existing.status == REGISTERED,
        send=send,
        position=existing.waitlist_position,
    )


def _promote(session: Session, now: datetime.datetime) -> list[Enrolment]:
    """Give free places to the first waitlisted people who fit the caps (session locked)."""
    if session.status == Session.Status.CANCELLED or (session.starts_at or now) <= now:
        return []
    registered = dict(
        Enrolment.objects.filter(session=session)
        .registered()
        .values("organisation_key")
        .annotate(n=Count("pk"))
        .values_list("organisation_key", "n")
    )
    free = session.capacity - sum(registered.values())
    cap = session.max_per_organisation
    promoted = []
    if free <= 0:
        return promoted
    for candidate in Enrolment.objects.filter(session=session).waitlist():
        if free == 0:
            break
        if cap is not None and registered.get(candidate.organisation_key, 0) >= cap:
            continue  # keeps their place in the queue for a place their organisation may get
        candidate.session = session  # the locked row, whose days are fetched once for all
        candidate.status = REGISTERED
        candidate.promoted_at = now
        candidate.save(update_fields=["status", "promoted_at", "updated_at"])
        record(candidate, EnrolmentEvent.Kind.PROMOTED, before=WAITLISTED)
        registered[candidate.organisation_key] = registered.get(candidate.organisation_key, 0) + 1
        free -= 1
        promoted.append(candidate)
        queue_notice("promoted", candidate, with_calendar=True)
    if promoted:
        places_changed.send(sender=Session, course_slug=session.course.slug)
    return promoted


# -- Enrolling and cancelling ----------------------------------------------------------------


@dataclass(frozen=True)
class Person:
    """Someone to enrol, as typed in a form."""

    first_name: str
    last_name: str
    email: str
    job_title: str = ""


def register_organisation(name: str, key: str) -> None:
    """Make sure advisers find the organisation in their list, to classify it."""
    if KNOWN_ORGANISATION.first(key=key) is None:  # nearly always known: one short query
        Organisation.objects.get_or_create(key=key, defaults={"name": name})


KNOWN_ORGANISATION = Precompiled(
    lambda key: Organisation.objects.filter(key=key).order_by().values_list("pk", flat=True)
)


def place_person(
    session: Session,
    person: Person,
    *,
    organisation: str,
    key: str,
    now: datetime.datetime,
    public: bool,
    by_user: AbstractBaseUser | None,
    language: str | None,
    group: EnrolmentGroup | None = None,
) -> EnrolmentResult:
    """Place one person in a session that the caller has locked and checked."""
    email = person.email.strip()
    outcome, existing_pk = _placement(session, key, email)
    # A new enrolment's INSERT and a duplicate's read of its row: the same number of queries
    # either way (rule 6: the time taken must not tell an address is enrolled).
    existing = EXISTING.first(pk=existing_pk) if existing_pk is not None else None
    if existing is not None:
        if not public:
            raise AlreadyEnrolled
        existing.session = session  # the locked row, with the course's slug
        _mail_existing(existing, now)
        return EnrolmentResult(outcome, None)
    try:
        with transaction.atomic():
            enrolment = Enrolment.objects.create(
                session=session,
                first_name=person.first_name.strip(),
                last_name=person.last_name.strip(),
                email=email,
                organisation=organisation,
                organisation_key=key,
                job_title=person.job_title.strip(),
                status=outcome.status,
                created_at=now,
                privacy_accepted_at=now if public else None,
                created_by=_actor(by_user),
                language=language or settings.LANGUAGE_CODE,
                group=group,
            )
    except IntegrityError:
        # Only reachable if a write bypassed the session lock; still never a second row.
        if not public:
            raise AlreadyEnrolled from None
        return EnrolmentResult(outcome, None)
    places_changed.send(sender=Session, course_slug=session.course.slug)
    record(
        enrolment,
        EnrolmentEvent.Kind.CREATED,
        actor=by_user,
        note=(
            _("ingeschreven via het beheer")
            if not public
            else _("als groep ingeschreven door %(name)s") % {"name": group.submitted_by_name}
            if group
            else ""
        ),
    )
    _queue_outcome(enrolment, outcome)
    return EnrolmentResult(outcome, enrolment)


def enrolment_create(
    *,
    session_id: int,
    first_name: str,
    last_name: str,
    email: str,
    organisation: str,
    job_title: str = "",
    invitation_code: str = "",
    public: bool = True,
    by_user: AbstractBaseUser | None = None,
    language: str | None = None,
    now: datetime.datetime | None = None,
) -> EnrolmentResult:
    """Enrol a person: registered if a place fits the caps, otherwise on the waiting list.

    public=True is the website: the registration deadline applies and a second attempt with an
    enrolled address creates nothing and mails that address instead (rule 6). From the admin
    (public=False) the deadline does not apply and a duplicate raises AlreadyEnrolled.
    `now` places the enrolment at another moment (the demo's history); by default the time
    taken under the lock.
    """
    organisation = " ".join(organisation.split())
    key = organisation_key(organisation)
    with transaction.atomic():
        session = lock_session(session_id, PLACING_COLUMNS)
        now = now or timezone.now()  # taken under the lock: the queue follows the lock order
        check_open(session, now, public=public)
        check_reservation(session, key, invitation_code, public=public)
        register_organisation(organisation, key)
        return place_person(
            session,
            Person(first_name, last_name, email, job_title),
            organisation=organisation,
            key=key,
            now=now,
            public=public,
            by_user=by_user,
            language=language,
        )


def enrolment_cancel(
    *,
    enrolment_id: int,
    reason: str = "",
    by_user: AbstractBaseUser | None = None,
    self_service: bool = False,
    notify: bool = True,
    now: datetime.datetime | None = None,
) -> Enrolment:
    """Cancel an enrolment (kept, with who, when and why) and promote from the waiting list.

    notify=False sends the person no e-mail (used when their data is erased on request).
    `now` cancels at another moment (the demo's history; it decides a late cancellation).
    """
    session_id = Enrolment.objects.values_list("session_id", flat=True).get(pk=enrolment_id)
    with transaction.atomic():
        session = lock_session(session_id)
        enrolment = Enrolment.objects.select_related("session__course", "session__location").get(
            pk=enrolment_id
        )
        if enrolment.status == CANCELLED:
            return enrolment
        now = now or timezone.now()
        if self_service and session.starts_at is not None and session.starts_at <= now:
            raise SessionStarted(
                _("De sessie is al begonnen. Afmelden kan nu alleen nog via de organisator.")
            )
        before = enrolment.status
        was_registered = before == REGISTERED
        enrolment.session = session  # the locked row, with the cancellation terms loaded
        enrolment.status = CANCELLED
        enrolment.cancelled_at = now
        enrolment.cancelled_by = _actor(by_user)
        enrolment.cancellation_reason = reason.strip()
        # Only a place given back late costs the organisation (see the course's terms).
        enrolment.cancelled_late = was_registered and session.is_late_cancellation(now)
        enrolment.save(
            update_fields=[
                "status",
                "cancelled_at",
                "cancelled_by",
                "cancellation_reason",
                "cancelled_late",
                "updated_at",
            ]
        )
        places_changed.send(sender=Session, course_slug=session.course.slug)
        record(
            enrolment,
            EnrolmentEvent.Kind.CANCELLED,
            before=before,
            actor=by_user,
            note=(_("late annulering") + ". " if enrolment.cancelled_late else "") + reason.strip(),
        )
        if notify:
            queue_notice(
                "cancelled",
                enrolment,
                # Only a place came with a calendar file; the waiting list never had one.
                cancel_days=session_days_withdraw(session=session) if was_registered else None,
                late=enrolment.cancelled_late,
            )
        if was_registered:
            _promote(session, now)
        return enrolment


# History notes that name people; privacy.person_erase() reads the names back out of them.


def waitlist_promote(*, session_id: int) -> list[Enrolment]:
    """Fill free places from the waiting list, in order, within the caps."""
    with transaction.atomic():
        session = lock_session(session_id)
        return _promote(session, timezone.now())
