"""Personal data: keep it only as long as needed, and hand it over or erase it on request.

Anonymising keeps the row (so counts per session, organisation and status stay right for
reporting) but removes what identifies the person: names, e-mail address, job title,
free-text reasons and the mails we stored for them. Self-service links stop working.
"""

from __future__ import annotations

import datetime
import uuid

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from enrolments import services
from enrolments.models import (
    Enrolment,
    EnrolmentEvent,
    EnrolmentGroup,
    Interest,
    QueuedEmail,
    SessionRequest,
)

PLACEHOLDER_DOMAIN = "geanonimiseerd.invalid"
CHUNK = 1000


def placeholder_email(kind: str, pk: int) -> str:
    return f"{kind}-{pk}@{PLACEHOLDER_DOMAIN}"


def retention_cutoff(months: int, now: datetime.datetime | None = None) -> datetime.datetime:
    return (now or timezone.now()) - datetime.timedelta(days=round(months * 30.44))


def anonymise_enrolments(
    queryset: QuerySet, *, actor: AbstractBaseUser | None = None, note: str = ""
) -> int:
    """Remove what identifies the people in these enrolments; returns how many."""
    now = timezone.now()
    ids = list(queryset.filter(anonymised_at=None).values_list("pk", flat=True))
    for start in range(0, len(ids), CHUNK):
        chunk = list(Enrolment.objects.filter(pk__in=ids[start : start + CHUNK]))
        for enrolment in chunk:
            enrolment.first_name = ""
            enrolment.last_name = ""
            enrolment.email = placeholder_email("inschrijving", enrolment.pk)
            enrolment.job_title = ""
            enrolment.cancellation_reason = ""
            enrolment.secret = uuid.uuid4()  # the self-service link no longer opens anything
            enrolment.anonymised_at = now
        Enrolment.objects.bulk_update(
            chunk,
            [
                "first_name",
                "last_name",
                "email",
                "job_title",
                "cancellation_reason",
                "secret",
                "anonymised_at",
            ],
        )
        EnrolmentEvent.objects.filter(enrolment__in=chunk).update(note="")
        EnrolmentEvent.objects.bulk_create(
            EnrolmentEvent(
                enrolment=e,
                kind=EnrolmentEvent.Kind.ANONYMISED,
                at=now,
                from_status=e.status,
                to_status=e.status,
                actor=actor if actor and actor.is_authenticated else None,
                note=note,
            )
            for e in chunk
        )
        QueuedEmail.objects.filter(enrolment__in=chunk).delete()
    return len(ids)


def anonymise_interest(queryset: QuerySet) -> int:
    now = timezone.now()
    rows = list(queryset.filter(anonymised_at=None))
    for interest in rows:
        interest.email = placeholder_email("belangstelling", interest.pk)
        interest.organisation = ""
        interest.anonymised_at = now
    Interest.objects.bulk_update(rows, ["email", "organisation", "anonymised_at"], batch_size=CHUNK)
    return len(rows)


def anonymise_requests(queryset: QuerySet) -> int:
    now = timezone.now()
    rows = list(queryset.filter(anonymised_at=None))
    for request in rows:
        request.contact_name = ""
        request.email = placeholder_email("aanvraag", request.pk)
        request.phone = ""
        request.message = ""
        request.anonymised_at = now
    SessionRequest.objects.bulk_update(
        rows, ["contact_name", "email", "phone", "message", "anonymised_at"], batch_size=CHUNK
    )
    return len(rows)


def anonymise_groups(queryset: QuerySet) -> int:
    """Who sent a group form: name and address go, the organisation stays."""
    now = timezone.now()
    rows = list(queryset.filter(anonymised_at=None))
    for group in rows:
        group.submitted_by_name = ""
        group.submitted_by_email = placeholder_email("groep", group.pk)
        group.anonymised_at = now
    EnrolmentGroup.objects.bulk_update(
        rows, ["submitted_by_name", "submitted_by_email", "anonymised_at"], batch_size=CHUNK
    )
    return len(rows)


def forget_mentions(email: str) -> int:
    """History notes naming this address (a colleague who took over a place) are cleared."""
    return EnrolmentEvent.objects.filter(note__icontains=email.strip()).update(note="")


@transaction.atomic
def purge(months: int | None = None, now: datetime.datetime | None = None) -> dict[str, int]:
    """Anonymise everything older than the retention period; safe to run every night."""
    months = settings.PERSONAL_DATA_RETENTION_MONTHS if months is None else months
    cutoff = retention_cutoff(months, now)
    counts = {
        "enrolments": anonymise_enrolments(
            Enrolment.objects.filter(session__ends_at__lt=cutoff),
            note=f"bewaartermijn van {months} maanden verstreken",
        ),
        "interest": anonymise_interest(Interest.objects.filter(created_at__lt=cutoff)),
        "requests": anonymise_requests(
            SessionRequest.objects.filter(created_at__lt=cutoff).exclude(
                status__in=[SessionRequest.Status.NEW, SessionRequest.Status.IN_PROGRESS]
            )
        ),
        "groups": anonymise_groups(EnrolmentGroup.objects.filter(session__ends_at__lt=cutoff)),
    }
    counts["emails"] = QueuedEmail.objects.filter(created_at__lt=cutoff).delete()[0]
    return counts


def person_records(email: str):
    """Everything stored under this e-mail address (case-insensitive)."""
    email = email.strip()
    return (
        Enrolment.objects.filter(email__iexact=email)
        .select_related("session__course", "session__location")
        .prefetch_related("events")
        .order_by("created_at"),
        Interest.objects.filter(email__iexact=email).select_related("course"),
        SessionRequest.objects.filter(email__iexact=email).select_related("course"),
    )


def person_groups(email: str) -> QuerySet:
    return EnrolmentGroup.objects.filter(submitted_by_email__iexact=email.strip()).select_related(
        "session__course"
    )


def person_export(email: str) -> dict:
    """A machine-readable copy of one person's data (AVG right of access and portability)."""
    enrolments, interests, requests = person_records(email)

    def moment(value):
        return timezone.localtime(value).isoformat() if value else None

    return {
        "e-mailadres": email.strip(),
        "opgemaakt_op": moment(timezone.now()),
        "inschrijvingen": [
            {
                "training": e.session.course.title,
                "sessie_begint": moment(e.session.starts_at),
                "plaats": e.session.location.place,
                "voornaam": e.first_name,
                "achternaam": e.last_name,
                "e-mailadres": e.email,
                "organisatie": e.organisation,
                "functie": e.job_title,
                "status": e.get_status_display(),
                "ingeschreven_op": moment(e.created_at),
                "privacyverklaring_gelezen_op": moment(e.privacy_accepted_at),
                "geannuleerd_op": moment(e.cancelled_at),
                "reden_annulering": e.cancellation_reason,
                "geschiedenis": [
                    {
                        "tijdstip": moment(ev.at),
                        "gebeurtenis": ev.get_kind_display(),
                        "van": ev.from_status,
                        "naar": ev.to_status,
                    }
                    for ev in e.events.all()
                ],
            }
            for e in enrolments
        ],
        "belangstelling": [
            {
                "training": i.course.title,
                "e-mailadres": i.email,
                "organisatie": i.organisation,
                "plaats": i.city,
                "toestemming_op": moment(i.consent_at),
                "gemaild_op": moment(i.notified_at),
            }
            for i in interests
        ],
        "aanvragen_op_maat": [
            {
                "training": r.course.title,
                "organisatie": r.organisation,
                "contactpersoon": r.contact_name,
                "e-mailadres": r.email,
                "telefoon": r.phone,
                "aantal_deelnemers": r.participants,
                "periode": r.preferred_period,
                "toelichting": r.message,
                "ontvangen_op": moment(r.created_at),
            }
            for r in requests
        ],
        "groepsinschrijvingen_verstuurd": [
            {
                "training": g.session.course.title,
                "organisatie": g.organisation,
                "naam": g.submitted_by_name,
                "e-mailadres": g.submitted_by_email,
                "ontvangen_op": moment(g.created_at),
            }
            for g in person_groups(email)
        ],
        "genoemd_in_geschiedenis": [
            {"tijdstip": moment(ev.at), "toelichting": ev.note}
            for ev in EnrolmentEvent.objects.filter(note__icontains=email.strip())
        ],
    }


def person_erase(email: str, *, by_user: AbstractBaseUser | None = None) -> dict[str, int]:
    """Erase one person's data on request: places in sessions still to come are given up
    (the waiting list moves up, without mailing the person), then everything is anonymised."""
    enrolments, interests, requests = person_records(email)
    now = timezone.now()
    freed = 0
    for enrolment in enrolments.exclude(status=Enrolment.Status.CANCELLED).filter(
        Q(session__starts_at__gt=now) | Q(session__starts_at=None)
    ):
        services.enrolment_cancel(
            enrolment_id=enrolment.pk,
            reason="Gegevens verwijderd op verzoek",
            by_user=by_user,
            notify=False,
        )
        freed += 1
    with transaction.atomic():
        counts = {
            "places_freed": freed,
            "enrolments": anonymise_enrolments(
                enrolments, actor=by_user, note="verwijderd op verzoek"
            ),
            "interest": anonymise_interest(interests),
            "requests": anonymise_requests(requests),
            "groups": anonymise_groups(person_groups(email)),
            "mentions": forget_mentions(email),
        }
        counts["emails"] = QueuedEmail.objects.filter(to__iexact=email.strip()).delete()[0]
    return counts
