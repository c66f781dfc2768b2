"""Group forms: one sender enrols several colleagues, placed only once they confirm their
address by mail, under the placement rules of services.py."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from enrolments.mail.outbox import queue_email
from enrolments.models import EnrolmentGroup, QueuedEmail, organisation_key
from enrolments.places.services import (
    EnrolmentError,
    EnrolmentResult,
    Person,
    check_open,
    check_reservation,
    lock_session,
    place_person,
    register_organisation,
)
from trainings.models import Session


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
        check_open(session, now, public=True)
        check_reservation(session, key, invitation_code)
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
    return queue_email(
        kind="group_confirm",
        to=group.submitted_by_email,
        context={"group": group, "session": session, "days": list(session.days.all())},
        language=group.language,
    )


def group_enrolment_confirm(*, group_id: int) -> GroupResult | None:
    """The sender confirmed: place everyone in the order of the rows, under one lock, each
    registered or waitlisted under the caps as if they had enrolled one after another, and
    each mailed. None when the group was confirmed already (confirming twice does nothing).

    Raises EnrolmentGroup.DoesNotExist once purged, GroupRequestExpired after the deadline."""
    session_id = EnrolmentGroup.objects.values_list("session_id", flat=True).get(pk=group_id)
    with transaction.atomic():
        session = lock_session(session_id)
        group = EnrolmentGroup.objects.select_for_update().get(pk=group_id)
        if group.confirmed_at is not None:
            return None
        now = timezone.now()  # taken under the lock: the queue follows the lock order
        if group.expires_at <= now:
            raise GroupRequestExpired
        check_open(session, now, public=True)
        key = organisation_key(group.organisation)
        check_reservation(session, key, group.invitation_code)
        register_organisation(group.organisation, key)
        results = []
        for offset, row in enumerate(group.people):
            person = Person(*row)
            # A microsecond apart, so the queue keeps the order of the rows.
            moment = now + datetime.timedelta(microseconds=offset)
            results.append(
                (
                    person,
                    place_person(
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
