"""Personal data: keep it only as long as needed, and hand it over or erase it on request.

Anonymising keeps the row (so counts per session, organisation and status stay right for
reporting) but removes what identifies the person: names, e-mail address, job title,
free-text reasons and the mails we stored for them. Self-service links stop working.

A person is also named outside their own rows: in the admin log ("Recente acties"), in
colleagues' history notes (a hand-over, a group form), in mails stored for colleagues (the
hand-over, the group summary) and in visitors' server-side sessions (result pages). Erasing
reaches those too (see `forget_names`); the nightly purge deletes old mails and clears
expired sessions.
"""

from __future__ import annotations

import datetime
import json
import re
import uuid
from collections.abc import Iterable
from importlib import import_module

from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import AbstractBaseUser
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone, translation
from django.utils.html import escape
from django.utils.translation import gettext as _

from enrolments.models import (
    Enrolment,
    EnrolmentEvent,
    EnrolmentGroup,
    Interest,
    QueuedEmail,
    SessionRequest,
)
from enrolments.places import services, substitution

PLACEHOLDER_DOMAIN = "geanonimiseerd.invalid"
CHUNK = 1000
ERASED = "[verwijderd]"


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
        forget_log_entries(Enrolment, [e.pk for e in chunk])
    return len(ids)


def _anonymise_rows(queryset: QuerySet, *, email_field: str, kind: str, blank: dict) -> list:
    """Blank the given fields of every row not yet anonymised, put a placeholder in its
    e-mail field, stamp anonymised_at and forget the admin log's names; the rows changed."""
    model = queryset.model
    now = timezone.now()
    rows = list(queryset.filter(anonymised_at=None))
    for row in rows:
        for field, value in blank.items():
            setattr(row, field, value)
        setattr(row, email_field, placeholder_email(kind, row.pk))
        row.anonymised_at = now
    model.objects.bulk_update(rows, [*blank, email_field, "anonymised_at"], batch_size=CHUNK)
    forget_log_entries(model, [row.pk for row in rows])
    return rows


def anonymise_interest(queryset: QuerySet) -> int:
    rows = _anonymise_rows(
        queryset,
        email_field="email",
        kind="belangstelling",
        # With the organisation, the city is enough to tell who it was.
        blank={"organisation": "", "city": ""},
    )
    return len(rows)


def anonymise_requests(queryset: QuerySet) -> int:
    rows = _anonymise_rows(
        queryset,
        email_field="email",
        kind="aanvraag",
        blank={"contact_name": "", "phone": "", "message": ""},
    )
    return len(rows)


def anonymise_groups(queryset: QuerySet) -> int:
    """Who sent a group form: name and address go, the organisation stays."""
    rows = _anonymise_rows(
        queryset,
        email_field="submitted_by_email",
        kind="groep",
        # An unconfirmed request's colleagues go with it.
        blank={"submitted_by_name": "", "people": [], "invitation_code": ""},
    )
    # "als groep ingeschreven door <name>" in the history of every colleague in the group.
    for start in range(0, len(rows), CHUNK):
        EnrolmentEvent.objects.filter(
            enrolment__group__in=rows[start : start + CHUNK], kind=EnrolmentEvent.Kind.CREATED
        ).exclude(note="").update(note="")
    return len(rows)


def forget_log_entries(model, ids: Iterable[int]) -> int:
    """The admin log ("Recente acties") keeps each object's name as it was: blank it."""
    ids = [str(pk) for pk in ids]
    if not ids:
        return 0
    content_type = ContentType.objects.get_for_model(model, for_concrete_model=False)
    entries = LogEntry.objects.filter(content_type=content_type)
    # In chunks: a first purge can meet more ids than one PostgreSQL statement may bind.
    return sum(
        entries.filter(object_id__in=ids[start : start + CHUNK]).update(
            object_repr=ERASED, change_message=""
        )
        for start in range(0, len(ids), CHUNK)
    )


def _variants(term: str) -> set[str]:
    return {term, escape(term), json.dumps(term)[1:-1]}


def _scrub(text: str, terms: Iterable[str]) -> str:
    for term in terms:
        for variant in _variants(term):
            text = re.sub(re.escape(variant), ERASED, text, flags=re.IGNORECASE)
    return text


def _scrub_values(value, terms: Iterable[str]):
    """_scrub() on every text inside a JSON value."""
    if isinstance(value, str):
        return _scrub(value, terms)
    if isinstance(value, list):
        return [_scrub_values(item, terms) for item in value]
    if isinstance(value, dict):
        return {key: _scrub_values(item, terms) for key, item in value.items()}
    return value


def _mentions(field: str, terms: Iterable[str]) -> Q:
    query = Q(pk__in=[])
    for term in terms:
        for variant in _variants(term):
            query |= Q(**{f"{field}__icontains": variant})
    return query


def names_in_notes(email: str) -> set[str]:
    """Names written beside this address in history notes (a hand-over names both people)."""
    # What may stand between a closing bracket and the next name, in every language.
    joiners = set()
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            for template in (substitution.SUBSTITUTED_NOTE, substitution.HANDED_OVER_NOTE):
                before_new = _(template).split("%(new)s")[0]
                joiners.add(before_new.rsplit(")", 1)[-1].strip().casefold())
    found = set()
    pattern = re.compile(r"(?:^|\))([^()]*)\(\s*" + re.escape(email) + r"\s*\)", re.IGNORECASE)
    for note in EnrolmentEvent.objects.filter(note__icontains=email).values_list("note", flat=True):
        for match in pattern.finditer(note):
            name = match.group(1).strip(" ,")
            for joiner in joiners:
                if joiner and name.casefold().startswith(joiner):
                    name = name[len(joiner) :].strip()
            if name:
                found.add(name)
    return found


def forget_names(terms: set[str]) -> dict[str, int]:
    """Blank these names and addresses wherever they were written as text: admin log lines,
    history notes, stored mails (also those to colleagues) and visitors' sessions."""
    terms = {t.strip() for t in terms if len(t.strip()) >= 3}
    if not terms:
        return {"log_entries": 0, "notes": 0, "mails": 0, "sessions": 0}
    entries = list(
        LogEntry.objects.filter(
            _mentions("object_repr", terms) | _mentions("change_message", terms)
        )
    )
    for entry in entries:
        entry.object_repr = _scrub(entry.object_repr, terms)[:200]
        entry.change_message = _scrub(entry.change_message, terms)
    LogEntry.objects.bulk_update(entries, ["object_repr", "change_message"], batch_size=CHUNK)
    events = list(EnrolmentEvent.objects.filter(_mentions("note", terms)))
    for event in events:
        event.note = _scrub(event.note, terms)[:300]
    EnrolmentEvent.objects.bulk_update(events, ["note"], batch_size=CHUNK)
    mails = list(
        QueuedEmail.objects.filter(
            _mentions("subject", terms)
            | _mentions("body_text", terms)
            | _mentions("body_html", terms)
        )
    )
    for mail in mails:
        mail.subject = _scrub(mail.subject, terms)[:300]
        mail.body_text = _scrub(mail.body_text, terms)
        mail.body_html = _scrub(mail.body_html, terms)
    QueuedEmail.objects.bulk_update(mails, ["subject", "body_text", "body_html"], batch_size=CHUNK)
    # Mails the worker has not rendered yet keep what they will say in `context` (a colleague's
    # name in a hand-over): scrubbed too, so they are sent without it.
    unrendered = list(QueuedEmail.objects.filter(body_text="").exclude(context={}))
    for mail in unrendered:
        mail.context = _scrub_values(mail.context, terms)
    QueuedEmail.objects.bulk_update(unrendered, ["context"], batch_size=CHUNK)
    return {
        "log_entries": len(entries),
        "notes": len(events),
        "mails": len(mails),
        "sessions": forget_in_sessions(terms),
    }


def _session_store():
    return import_module(settings.SESSION_ENGINE).SessionStore


def forget_in_sessions(terms: set[str]) -> int:
    """Drop what visitors' server-side sessions keep about these people (the receipt and the
    group result page). Sessions in the database are searched; sessions in a cache (Redis)
    cannot be, and expire with SESSION_COOKIE_AGE instead."""
    store = _session_store()
    if not hasattr(store, "get_model_class"):
        return 0
    model = store.get_model_class()
    # A result page keeps first and last name apart: a value holding every word of a name
    # (or the address) is about this person.
    word_sets = [t.casefold().split() for t in terms]

    def about_them(value) -> bool:
        text = json.dumps(value, ensure_ascii=False).casefold()
        return any(all(word in text for word in words) for words in word_sets)

    changed = 0
    for row in model.objects.filter(expire_date__gt=timezone.now()).iterator():
        session = store(session_key=row.session_key)
        data = session.decode(row.session_data)
        keep = {key: value for key, value in data.items() if not about_them(value)}
        if len(keep) != len(data):
            row.session_data = session.encode(keep)
            row.save(update_fields=["session_data"])
            changed += 1
    return changed


def clear_expired_sessions() -> None:
    """What `manage.py clearsessions` does: expired sessions (and their result pages) go."""
    _session_store().clear_expired()


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
    old_mails = QueuedEmail.objects.filter(created_at__lt=cutoff)
    forget_log_entries(QueuedEmail, old_mails.values_list("pk", flat=True))
    counts["emails"] = old_mails.delete()[0]
    clear_expired_sessions()
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


def forget_in_pending_groups(email: str) -> set[str]:
    """Take a person out of group requests that wait for their sender's confirmation (the
    rows are kept until then); returns the names found, to be scrubbed elsewhere too."""
    email = email.strip().casefold()
    names = set()
    for group in EnrolmentGroup.objects.pending():
        kept = [row for row in group.people if row[2].strip().casefold() != email]
        if len(kept) != len(group.people):
            names |= {f"{row[0]} {row[1]}" for row in group.people if row not in kept}
            group.people, group.size = kept, len(kept)
            group.save(update_fields=["people", "size"])
    return names


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
    (the waiting list moves up, without mailing the person), then everything is anonymised.
    All in one transaction: a failure halfway frees no place and erases nothing."""
    enrolments, interests, requests = person_records(email)
    with transaction.atomic():
        # Collected first: once anonymised, the rows no longer say what to look for elsewhere.
        terms = {email.strip()}
        terms |= {e.full_name for e in enrolments if " " in e.full_name.strip()}
        terms |= {r.contact_name for r in requests if " " in r.contact_name.strip()}
        terms |= {g.submitted_by_name for g in person_groups(email) if " " in g.submitted_by_name}
        terms |= {n for n in names_in_notes(email.strip()) if " " in n}
        terms |= forget_in_pending_groups(email)
        terms |= {str(obj) for obj in [*enrolments, *interests, *requests, *person_groups(email)]}
        now = timezone.now()
        freed = 0
        # Each cancellation locks its session first, inside this transaction.
        for enrolment in enrolments.active().filter(
            Q(session__starts_at__gt=now) | Q(session__starts_at=None)
        ):
            services.enrolment_cancel(
                enrolment_id=enrolment.pk,
                reason="Gegevens verwijderd op verzoek",
                by_user=by_user,
                notify=False,
            )
            freed += 1
        counts = {
            "places_freed": freed,
            "enrolments": anonymise_enrolments(
                enrolments, actor=by_user, note="verwijderd op verzoek"
            ),
            "interest": anonymise_interest(interests),
            "requests": anonymise_requests(requests),
            "groups": anonymise_groups(person_groups(email)),
        }
        mails = QueuedEmail.objects.filter(to__iexact=email.strip())
        forget_log_entries(QueuedEmail, mails.values_list("pk", flat=True))
        counts["emails"] = mails.delete()[0]
        counts.update(forget_names(terms))
        counts["mentions"] = forget_mentions(email)
    return counts
