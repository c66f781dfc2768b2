"""Everything that takes or frees a place in a session: the rules of SPEC "Rules the
enrolments app enforces", for the public site and the admin alike.

Each function runs in one transaction that locks the session row before it counts anything
(PostgreSQL: SELECT … FOR UPDATE; SQLite: the IMMEDIATE transaction holds the write lock), so
two requests can never both see the last free place. Because every write to a session's
enrolments goes through here, the session lock serialises them all. E-mails are queued in the
same transaction and sent after commit.
"""

from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.db.models import Count, Q, prefetch_related_objects
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from catalogue.cache import places_changed
from enrolments.mail.outbox import ics_attachment, queue_email
from enrolments.models import (
    Enrolment,
    EnrolmentEvent,
    EnrolmentGroup,
    Interest,
    Organisation,
    QueuedEmail,
    SessionRequest,
    organisation_key,
)
from enrolments.places.tokens import group_confirm_path, self_service_path
from enrolments.settlement.costs import CourseTerms
from trainings.calendars import calendar_bytes, cancel_bytes
from trainings.models import Course, Session, SessionDay
from trainings.services import session_days_revise, session_days_withdraw

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


def _lock_session(session_id: int) -> Session:
    """Lock the session row first (see SessionQuerySet.lock); raises
    TransactionManagementError outside transaction.atomic()."""
    return Session.objects.lock(session_id)


def _format_moment(moment: datetime.datetime) -> str:
    return formats.date_format(timezone.localtime(moment), "j F Y, H:i")


def _check_open(session: Session, now: datetime.datetime, *, public: bool) -> None:
    if session.status == Session.Status.CANCELLED:
        raise SessionCancelled
    if session.starts_at is None or session.starts_at <= now:
        raise SessionStarted
    if public and session.closes_at <= now:
        raise RegistrationClosed(
            _("De inschrijving voor deze sessie is gesloten sinds %(moment)s.")
            % {"moment": _format_moment(session.closes_at)}
        )


def _check_reservation(
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


def _placement(session: Session, organisation: str) -> Outcome:
    """The outcome a new person from this organisation would get now."""
    counts = Enrolment.objects.filter(session=session).aggregate(
        registered=Count("pk", filter=Q(status=REGISTERED)),
        waitlisted=Count("pk", filter=Q(status=WAITLISTED)),
        organisation=Count("pk", filter=Q(status=REGISTERED, organisation_key=organisation)),
    )
    cap = session.max_per_organisation
    if counts["registered"] < session.capacity and (cap is None or counts["organisation"] < cap):
        return Outcome(REGISTERED)
    return Outcome(WAITLISTED, counts["waitlisted"] + 1)


def _mail_context(enrolment: Enrolment, **extra) -> dict:
    session = enrolment.session
    # Once per session object: the text, the HTML and the calendar all list the days.
    prefetch_related_objects([session], "days")
    return {
        "enrolment": enrolment,
        "session": session,
        "course": session.course,
        "days": list(session.days.all()),
        "self_service_url": settings.SITE_URL + self_service_path(enrolment),
        "course_url": settings.SITE_URL + session.course.get_absolute_url(),
        # What a place costs and until when cancelling is free (confirmation mails).
        "terms": CourseTerms.of_course(session.course),
        "free_until": session.free_cancellation_until,
        "subject": {
            "course": session.course.title,
            "date": formats.date_format(timezone.localtime(session.starts_at), "j F Y"),
            **extra.pop("subject", {}),
        },
        **extra,
    }


def _calendar(session: Session) -> list[dict]:
    content = calendar_bytes([session], method="PUBLISH")
    return [ics_attachment(f"sessie-{session.pk}.ics", content, "PUBLISH")]


def _cancel_calendar(enrolment: Enrolment, days: list[SessionDay]) -> list[dict]:
    """METHOD:CANCEL for days this person has in their calendar (the invitation's UIDs), at
    the SEQUENCE the days carry: the caller raised it above what the person was sent."""
    session = enrolment.session
    content = cancel_bytes(session, days, attendee=enrolment.email, sequence_step=0)
    return [ics_attachment(f"sessie-{session.pk}-geannuleerd.ics", content, "CANCEL")]


def _queue(
    kind: str,
    enrolment: Enrolment,
    *,
    with_calendar: bool = False,
    cancel_days: list[SessionDay] | None = None,
    send: bool = True,
    **extra,
) -> None:
    """Queue one mail to an enrolled person. with_calendar attaches the session's days
    (METHOD:PUBLISH), cancel_days a METHOD:CANCEL for those days."""
    with translation.override(enrolment.language):
        # dates in the subject, in that language
        context = _mail_context(enrolment, calendar_cancel=cancel_days is not None, **extra)
    attachments = _calendar(enrolment.session) if with_calendar else []
    if cancel_days is not None:
        attachments += _cancel_calendar(enrolment, cancel_days)
    queue_email(
        kind=kind,
        to=enrolment.email,
        context=context,
        enrolment=enrolment,
        attachments=attachments or None,
        language=enrolment.language,
        send=send,
    )


def _queue_outcome(enrolment: Enrolment, outcome: Outcome) -> None:
    if outcome.status == REGISTERED:
        _queue("registered", enrolment, with_calendar=True)
    else:
        _queue(
            "waitlisted",
            enrolment,
            position=outcome.position,
            subject={"position": outcome.position},
        )


def _mail_existing(existing: Enrolment, now: datetime.datetime) -> None:
    """Answer a second attempt with the same address (rule 6) with the same work as a new
    enrolment: one audit line, one rendered and stored mail, the same number of queries.
    Whether the browser waited for a new row or not must not show in the time it takes."""
    recently = (
        QueuedEmail.objects.filter(
            enrolment=existing,
            kind="already_enrolled",
            created_at__gt=now - DUPLICATE_MAIL_INTERVAL,
        )
        .exclude(status=QueuedEmail.Status.SUPPRESSED)
        .exists()
    )
    with transaction.atomic():  # as the INSERT of a new enrolment
        record(existing, EnrolmentEvent.Kind.REPEATED, before=existing.status)
    places_changed(existing.session.course.slug)  # as a new enrolment does
    # Not right after the first (a double click) and not over and over (someone typing
    # another's address): the mail is still rendered and stored, but not sent.
    send = not recently and existing.created_at <= now - DUPLICATE_MAIL_GRACE
    _queue(
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
        _queue("promoted", candidate, with_calendar=True)
    if promoted:
        places_changed(session.course.slug)
    return promoted


# -- Enrolling and cancelling ----------------------------------------------------------------


@dataclass(frozen=True)
class Person:
    """Someone to enrol, as typed in a form."""

    first_name: str
    last_name: str
    email: str
    job_title: str = ""


def _register_organisation(name: str, key: str) -> None:
    """Make sure advisers find the organisation in their list, to classify it."""
    Organisation.objects.get_or_create(key=key, defaults={"name": name})


def _enrol(
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
    outcome = _placement(session, key)
    # The position is annotated in both paths, so a duplicate costs no extra query.
    existing = (
        Enrolment.objects.active()
        .with_waitlist_position()
        .filter(session=session, email__iexact=email)
        .first()
    )
    if existing is not None:
        if not public:
            raise AlreadyEnrolled
        existing.session = session  # the locked row, with course and location loaded
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
    places_changed(session.course.slug)
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
) -> EnrolmentResult:
    """Enrol a person: registered if a place fits the caps, otherwise on the waiting list.

    public=True is the website: the registration deadline applies and a second attempt with an
    enrolled address creates nothing and mails that address instead (rule 6). From the admin
    (public=False) the deadline does not apply and a duplicate raises AlreadyEnrolled.
    """
    organisation = " ".join(organisation.split())
    key = organisation_key(organisation)
    with transaction.atomic():
        session = _lock_session(session_id)
        now = timezone.now()  # taken under the lock: the queue follows the lock order
        _check_open(session, now, public=public)
        _check_reservation(session, key, invitation_code, public=public)
        _register_organisation(organisation, key)
        return _enrol(
            session,
            Person(first_name, last_name, email, job_title),
            organisation=organisation,
            key=key,
            now=now,
            public=public,
            by_user=by_user,
            language=language,
        )


@dataclass(frozen=True)
class GroupResult:
    group: EnrolmentGroup
    results: list[tuple[Person, EnrolmentResult]]


class GroupTooLarge(EnrolmentError):
    default_message = gettext_noop("Dit formulier heeft te veel collega's.")


class GroupRequestExpired(EnrolmentError):
    default_message = gettext_noop(
        "Deze aanmelding is niet op tijd bevestigd en is verwijderd. Vul het formulier opnieuw in."
    )


# Colleagues per group form (a session's cap per organisation makes it smaller).
GROUP_MAX_PEOPLE = 16


def group_row_limit(session: Session) -> int:
    """How many colleagues one group form may hold for this session."""
    cap = session.max_per_organisation
    return min(GROUP_MAX_PEOPLE, cap) if cap else GROUP_MAX_PEOPLE


def group_enrolment_create(
    *,
    session_id: int,
    organisation: str,
    people: list[Person],
    submitted_by_name: str,
    submitted_by_email: str,
    invitation_code: str = "",
    language: str | None = None,
) -> EnrolmentGroup:
    """Receive a group form as a request and mail its sender a link to confirm their address.

    Nothing is placed and no colleague is mailed until the sender confirms
    (group_enrolment_confirm); the one mail names the session and the number of colleagues,
    none of the typed text, so the form cannot carry anyone's message to anyone."""
    organisation = " ".join(organisation.split())
    key = organisation_key(organisation)
    rows, seen = [], set()
    for person in people:
        address = person.email.strip()
        if address.casefold() in seen:
            continue  # the form refuses this; never two rows for one address
        seen.add(address.casefold())
        rows.append(
            [person.first_name.strip(), person.last_name.strip(), address, person.job_title.strip()]
        )
    with transaction.atomic():
        session = Session.objects.select_related("course", "location").get(pk=session_id)
        now = timezone.now()
        _check_open(session, now, public=True)
        _check_reservation(session, key, invitation_code)
        limit = group_row_limit(session)
        if len(rows) > limit:
            raise GroupTooLarge(
                _("Schrijf met één formulier maximaal %(count)s collega's in.") % {"count": limit}
            )
        group = EnrolmentGroup.objects.create(
            session=session,
            organisation=organisation,
            submitted_by_name=" ".join(submitted_by_name.split()),
            submitted_by_email=submitted_by_email.strip(),
            language=language or settings.LANGUAGE_CODE,
            created_at=now,
            size=len(rows),
            people=rows,
            invitation_code=invitation_code.strip(),
        )
        group.confirmation_email = _queue_group_confirmation(group, session)
        group.save(update_fields=["confirmation_email"])
        return group


def _queue_group_confirmation(group: EnrolmentGroup, session: Session):
    with translation.override(group.language):
        context = {
            "group": group,
            "session": session,
            "course": session.course,
            "days": list(session.days.all()),
            "course_url": settings.SITE_URL + session.course.get_absolute_url(),
            "confirm_url": settings.SITE_URL + group_confirm_path(group),
            "expires_at": timezone.localtime(group.expires_at),
            "subject": {
                "course": session.course.title,
                "date": formats.date_format(timezone.localtime(session.starts_at), "j F Y"),
            },
        }
    return queue_email(
        kind="group_confirm",
        to=group.submitted_by_email,
        context=context,
        language=group.language,
    )


def group_enrolment_confirm(*, group_id: int) -> GroupResult | None:
    """The sender confirmed: place everyone in the order of the rows, under one lock, each
    registered or waitlisted under the caps as if they had enrolled one after another, and
    each mailed. None when the group was confirmed already (confirming twice does nothing).

    Raises EnrolmentGroup.DoesNotExist once purged, GroupRequestExpired after the deadline."""
    session_id = EnrolmentGroup.objects.values_list("session_id", flat=True).get(pk=group_id)
    with transaction.atomic():
        session = _lock_session(session_id)
        group = EnrolmentGroup.objects.select_for_update().get(pk=group_id)
        if group.confirmed_at is not None:
            return None
        now = timezone.now()  # taken under the lock: the queue follows the lock order
        if group.expires_at <= now:
            raise GroupRequestExpired
        _check_open(session, now, public=True)
        key = organisation_key(group.organisation)
        _check_reservation(session, key, group.invitation_code)
        _register_organisation(group.organisation, key)
        results = []
        for offset, row in enumerate(group.people):
            person = Person(*row)
            # A microsecond apart, so the queue keeps the order of the rows.
            moment = now + datetime.timedelta(microseconds=offset)
            results.append(
                (
                    person,
                    _enrol(
                        session,
                        person,
                        organisation=group.organisation,
                        key=key,
                        now=moment,
                        public=True,
                        by_user=None,
                        language=group.language,
                        group=group,
                    ),
                )
            )
        # The rows live on as enrolments; the request keeps no copy of them.
        group.confirmed_at = now
        group.people = []
        group.invitation_code = ""
        group.save(update_fields=["confirmed_at", "people", "invitation_code"])
        return GroupResult(group, results)


def group_requests_expire(*, now: datetime.datetime | None = None) -> int:
    """Delete the group requests nobody confirmed in time, and the mail that asked:
    nothing of them is kept. Returns how many were deleted."""
    with transaction.atomic():
        # A group with enrolments was placed one way or another; only bare requests go.
        expired = EnrolmentGroup.objects.expired(now).filter(enrolments__isnull=True)
        mails = list(
            expired.exclude(confirmation_email=None).values_list("confirmation_email", flat=True)
        )
        _total, per_model = expired.delete()
        QueuedEmail.objects.filter(pk__in=mails).delete()
        return per_model.get(EnrolmentGroup._meta.label, 0)


def enrolment_cancel(
    *,
    enrolment_id: int,
    reason: str = "",
    by_user: AbstractBaseUser | None = None,
    self_service: bool = False,
    notify: bool = True,
) -> Enrolment:
    """Cancel an enrolment (kept, with who, when and why) and promote from the waiting list.

    notify=False sends the person no e-mail (used when their data is erased on request).
    """
    session_id = Enrolment.objects.values_list("session_id", flat=True).get(pk=enrolment_id)
    with transaction.atomic():
        session = _lock_session(session_id)
        enrolment = Enrolment.objects.select_related("session__course", "session__location").get(
            pk=enrolment_id
        )
        if enrolment.status == CANCELLED:
            return enrolment
        now = timezone.now()
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
        places_changed(session.course.slug)
        record(
            enrolment,
            EnrolmentEvent.Kind.CANCELLED,
            before=before,
            actor=by_user,
            note=(_("late annulering") + ". " if enrolment.cancelled_late else "") + reason.strip(),
        )
        if notify:
            _queue(
                "cancelled",
                enrolment,
                # Only a place came with a calendar file; the waiting list never had one.
                cancel_days=session_days_withdraw(session=session) if was_registered else None,
                late=enrolment.cancelled_late,
                free_until=session.free_cancellation_until,
            )
        if was_registered:
            _promote(session, now)
        return enrolment


# History notes that name people; privacy.person_erase() reads the names back out of them.
SUBSTITUTED_NOTE = gettext_noop("%(old)s (%(old_email)s) vervangen door %(new)s (%(new_email)s)")
HANDED_OVER_NOTE = gettext_noop(
    "overgedragen aan %(new)s (%(new_email)s), die al ingeschreven stond"
)


def _snapshot(enrolment: Enrolment, session: Session) -> Enrolment:
    """The enrolment as it was before a hand-over, for the mail to the person who left."""
    return Enrolment(
        pk=enrolment.pk,
        session=session,
        first_name=enrolment.first_name,
        last_name=enrolment.last_name,
        email=enrolment.email,
        organisation=enrolment.organisation,
        status=enrolment.status,
        secret=enrolment.secret,
        language=enrolment.language,
        created_at=enrolment.created_at,
    )


class SubstitutionNotAllowed(EnrolmentError):
    default_message = gettext_noop(
        "Deze inschrijving kan niet meer aan een collega worden gegeven."
    )


def substitution_refusal(
    enrolment: Enrolment, session: Session, now: datetime.datetime | None = None
) -> SubstitutionNotAllowed | None:
    """Why this place can no longer be handed over, or None while it can: until the
    session starts, unless the enrolment or the session is cancelled."""
    now = now or timezone.now()
    if enrolment.is_cancelled:
        return SubstitutionNotAllowed(
            _("Deze inschrijving is geannuleerd en kan niet meer worden overgedragen.")
        )
    if session.is_cancelled or (session.starts_at is not None and session.starts_at <= now):
        return SubstitutionNotAllowed(
            _("De sessie is al begonnen of geannuleerd; een vervanger kan niet meer.")
        )
    return None


def enrolment_substitute(
    *,
    enrolment_id: int,
    person: Person,
    by_user: AbstractBaseUser | None = None,
    language: str | None = None,
    self_service: bool = False,
) -> Enrolment:
    """Hand an enrolment to a colleague of the same organisation, at any time before the
    session starts: same place, same position in the queue, a new person and a new
    self-service link. Both people are mailed; the history keeps who was replaced by whom.

    self_service=True is the public page: a colleague who is already enrolled is not refused
    (that would tell who attends, rule 6) but told by mail; see _hand_over_to_enrolled."""
    session_id = Enrolment.objects.values_list("session_id", flat=True).get(pk=enrolment_id)
    with transaction.atomic():
        session = _lock_session(session_id)
        enrolment = Enrolment.objects.get(pk=enrolment_id)
        enrolment.session = session
        now = timezone.now()
        refusal = substitution_refusal(enrolment, session, now)
        if refusal is not None:
            raise refusal
        email = person.email.strip()
        if email.casefold() == enrolment.email.casefold():
            raise SubstitutionNotAllowed(
                _("Vul de gegevens in van de collega die in jouw plaats gaat.")
            )
        taken = (
            Enrolment.objects.active()
            .filter(session=session, email__iexact=email)
            .exclude(pk=enrolment.pk)
        )
        colleague = taken.with_waitlist_position().first()
        if colleague is not None:
            if self_service:
                return _hand_over_to_enrolled(enrolment, colleague, person, session, now)
            # Said to an adviser, who may see who is enrolled.
            raise AlreadyEnrolled(
                _("Deze collega staat al ingeschreven voor deze sessie (of op de wachtlijst).")
            )
        previous = _snapshot(enrolment, session)
        enrolment.first_name = person.first_name.strip()
        enrolment.last_name = person.last_name.strip()
        enrolment.email = email
        enrolment.job_title = person.job_title.strip()
        enrolment.secret = uuid.uuid4()  # the old self-service link stops working
        enrolment.language = language or enrolment.language
        enrolment.save(
            update_fields=[
                "first_name",
                "last_name",
                "email",
                "job_title",
                "secret",
                "language",
                "updated_at",
            ]
        )
        record(
            enrolment,
            EnrolmentEvent.Kind.SUBSTITUTED,
            before=enrolment.status,
            actor=by_user,
            note=_(SUBSTITUTED_NOTE)
            % {
                "old": previous.full_name,
                "old_email": previous.email,
                "new": enrolment.full_name,
                "new_email": enrolment.email,
            },
        )
        position = enrolment.get_waitlist_position()
        _queue(
            "substituted",
            previous,
            cancel_days=(
                session_days_withdraw(session=session) if previous.status == REGISTERED else None
            ),
            successor=enrolment.full_name,
        )
        _queue(
            "substitute",
            enrolment,
            with_calendar=enrolment.status == REGISTERED,
            predecessor=previous.full_name,
            position=position,
        )
        return enrolment


def _hand_over_to_enrolled(
    enrolment: Enrolment,
    colleague: Enrolment,
    person: Person,
    session: Session,
    now: datetime.datetime,
) -> Enrolment:
    """A hand-over to someone already enrolled, seen from the page exactly like any other:
    the person handing over gives up their place (their link stops working) and is mailed as
    usual. The colleague keeps their own enrolment; if they were waiting and the place handed
    over was a registered one, they take it. They are told by mail (rule 6)."""
    previous = _snapshot(enrolment, session)
    before = enrolment.status
    enrolment.status = CANCELLED
    enrolment.cancelled_at = now
    enrolment.cancellation_reason = _("Overgedragen aan een collega die al ingeschreven stond.")
    enrolment.cancelled_late = False  # handed over, not given back: the colleague comes
    enrolment.secret = uuid.uuid4()  # the old self-service link stops working, as usual
    enrolment.save(
        update_fields=[
            "status",
            "cancelled_at",
            "cancellation_reason",
            "cancelled_late",
            "secret",
            "updated_at",
        ]
    )
    record(
        enrolment,
        EnrolmentEvent.Kind.CANCELLED,
        before=before,
        note=_(HANDED_OVER_NOTE) % {"new": colleague.full_name, "new_email": colleague.email},
    )
    colleague.session = session
    took_place = before == REGISTERED and colleague.status == WAITLISTED
    if took_place:
        colleague.status = REGISTERED
        colleague.promoted_at = now
        colleague.save(update_fields=["status", "promoted_at", "updated_at"])
        record(colleague, EnrolmentEvent.Kind.PROMOTED, before=WAITLISTED)
        colleague.waitlist_position = None
    elif before == REGISTERED:
        _promote(session, now)
    places_changed(session.course.slug)
    _queue(
        "substituted",
        previous,
        cancel_days=session_days_withdraw(session=session) if before == REGISTERED else None,
        successor=f"{person.first_name.strip()} {person.last_name.strip()}",
    )
    _queue(
        "substitute_enrolled",
        colleague,
        with_calendar=colleague.status == REGISTERED,
        predecessor=previous.full_name,
        took_place=took_place,
        position=colleague.waitlist_position,
    )
    return enrolment


def waitlist_promote(*, session_id: int) -> list[Enrolment]:
    """Fill free places from the waiting list, in order, within the caps."""
    with transaction.atomic():
        session = _lock_session(session_id)
        return _promote(session, timezone.now())


# -- Capacity changes from the admin ---------------------------------------------------------


def session_check_limits(
    *, session_id: int, capacity: int, max_per_organisation: int | None
) -> None:
    """Refuse a capacity or per-organisation cap below what is already registered.

    Opens its own transaction; called inside the one that saves the change (the admin's),
    the session stays locked until that one ends.
    """
    with transaction.atomic():
        session = _lock_session(session_id)
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
        _queue(
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


def session_decide(*, session_id: int, now: datetime.datetime | None = None) -> str | None:
    """At the deadline: confirmed with enough registrations, cancelled without; everyone is
    told. Returns the new status, or None if there was nothing to decide (idempotent)."""
    with transaction.atomic():
        session = _lock_session(session_id)
        now = now or timezone.now()
        if session.status != Session.Status.SCHEDULED or session.closes_at is None:
            return None
        if session.closes_at > now:
            return None
        registered = Enrolment.objects.filter(session=session).registered().count()
        if registered >= session.min_participants:
            _confirm(session, now)
            return Session.Status.CONFIRMED
        _cancel(
            session,
            now,
            _(
                "Er waren bij het sluiten van de inschrijving te weinig aanmeldingen: %(count)s, "
                "en er zijn er minimaal %(minimum)s nodig."
            )
            % {"count": registered, "minimum": session.min_participants},
        )
        return Session.Status.CANCELLED


def session_confirm(*, session_id: int) -> bool:
    """Let a session go ahead now (adviser's decision). False if it already was confirmed."""
    with transaction.atomic():
        session = _lock_session(session_id)
        if session.status == Session.Status.CANCELLED:
            raise DecisionNotAllowed
        if session.status == Session.Status.CONFIRMED:
            return False
        _confirm(session, timezone.now())
        return True


def session_cancel(*, session_id: int, reason: str) -> bool:
    """Cancel a session and tell everyone enrolled. False if it already was cancelled."""
    with transaction.atomic():
        session = _lock_session(session_id)
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
        session = _lock_session(session_id)
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
            _queue(
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


# -- Interest and requests -------------------------------------------------------------------


def interest_register(
    *,
    course: Course,
    email: str,
    organisation: str = "",
    city: str = "",
    language: str | None = None,
) -> None:
    """Remember that someone wants to hear about new sessions (with their consent).

    Registering twice changes nothing and, like enrolling, does not tell whether the address
    was already known.
    """
    email = email.strip()
    with transaction.atomic():
        pending = Interest.objects.filter(course=course, email__iexact=email, notified_at=None)
        if pending.exists():
            return
        now = timezone.now()
        try:
            with transaction.atomic():
                Interest.objects.create(
                    course=course,
                    email=email,
                    organisation=" ".join(organisation.split()),
                    city=" ".join(city.split()),
                    consent_at=now,
                    created_at=now,
                    language=language or settings.LANGUAGE_CODE,
                )
        except IntegrityError:
            return  # a simultaneous identical request won


def interest_notify(*, session_id: int) -> int:
    """Mail everyone waiting for news about this session's course, once. Returns the count."""

    with transaction.atomic():
        session = _lock_session(session_id)
        if (
            not session.course.is_published
            or not Session.objects.filter(pk=session.pk).open_for_registration().exists()
        ):
            return 0
        waiting = list(
            Interest.objects.select_for_update().filter(course=session.course, notified_at=None)
        )
        days = list(SessionDay.objects.filter(session=session).order_by("date"))
        for interest in waiting:
            queue_email(
                kind="interest",
                to=interest.email,
                language=interest.language,
                context={
                    "course": session.course,
                    "session": session,
                    "days": days,
                    "course_url": settings.SITE_URL + session.course.get_absolute_url(),
                    "subject": {"course": session.course.title},
                },
            )
        Interest.objects.filter(pk__in=[i.pk for i in waiting]).update(
            notified_at=timezone.now(), notified_session=session
        )
        return len(waiting)


def session_request_create(
    *,
    course: Course,
    organisation: str,
    contact_name: str,
    email: str,
    participants: int,
    phone: str = "",
    preferred_period: str = "",
    message: str = "",
    language: str | None = None,
) -> SessionRequest:
    """Store a request for a custom or in-company session and confirm it to the requester."""

    with transaction.atomic():
        request = SessionRequest.objects.create(
            course=course,
            organisation=" ".join(organisation.split()),
            contact_name=contact_name.strip(),
            email=email.strip(),
            phone=phone.strip(),
            participants=participants,
            preferred_period=preferred_period.strip(),
            message=message.strip(),
            language=language or settings.LANGUAGE_CODE,
        )
        queue_email(
            kind="request_received",
            to=request.email,
            language=request.language,
            context={
                "request": request,
                "course": course,
                "course_url": settings.SITE_URL + course.get_absolute_url(),
                "subject": {"course": course.title},
            },
        )
        return request
