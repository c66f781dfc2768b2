"""Handing a place over to a colleague (rule 7): the colleague takes the place or, if they
were enrolled already, their own enrolment moves up; the one who leaves gets a calendar
cancellation. Built on services.py's lock and placement, in the same way."""

from __future__ import annotations

import datetime
import uuid

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from enrolments.models import Enrolment, EnrolmentEvent
from enrolments.places.notices import queue_notice
from enrolments.places.services import (
    CANCELLED,
    REGISTERED,
    WAITLISTED,
    AlreadyEnrolled,
    EnrolmentError,
    Person,
    _promote,
    lock_session,
    record,
)
from trainings.models import Session
from trainings.services import session_days_withdraw
from trainings.signals import places_changed

# History notes of a hand-over (privacy/services.py finds names in them to erase).
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
        session = lock_session(session_id)
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
        queue_notice(
            "substituted",
            previous,
            cancel_days=(
                session_days_withdraw(session=session) if previous.status == REGISTERED else None
            ),
            successor=enrolment.full_name,
        )
        queue_notice(
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
    places_changed.send(sender=Session, course_slug=session.course.slug)
    queue_notice(
        "substituted",
        previous,
        cancel_days=session_days_withdraw(session=session) if before == REGISTERED else None,
        successor=f"{person.first_name.strip()} {person.last_name.strip()}",
    )
    queue_notice(
        "substitute_enrolled",
        colleague,
        with_calendar=colleague.status == REGISTERED,
        predecessor=previous.full_name,
        took_place=took_place,
        position=colleague.waitlist_position,
    )
    return enrolment
