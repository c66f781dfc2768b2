"""Who comes: enrolments, interest and requests. Places are only taken or freed in services.py."""

from __future__ import annotations

import datetime
import functools
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce, Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from trainings.models import Country, Course, OrganisationType, Session, SessionDay


def organisation_key(name: str) -> str:
    """Key to compare organisation names case- and space-insensitively."""
    return " ".join(name.split()).casefold()


def mail_language_field(help_text=""):
    """The language mails go out in: one of the site's languages, the site's own by default."""
    return models.CharField(
        _("taal"),
        max_length=10,
        choices=settings.LANGUAGES,
        default=settings.LANGUAGE_CODE,
        help_text=help_text,
    )


def active_condition() -> Q:
    """What makes an enrolment active (not cancelled), as a condition a query can also count
    or aggregate with."""
    return ~Q(status=Enrolment.Status.CANCELLED)


class EnrolmentQuerySet(models.QuerySet):
    def active(self) -> EnrolmentQuerySet:
        return self.filter(active_condition())

    def registered(self) -> EnrolmentQuerySet:
        """The people who have a place (not waiting, not cancelled)."""
        return self.filter(status=Enrolment.Status.REGISTERED)

    def waitlist(self) -> EnrolmentQuerySet:
        """Waitlisted enrolments in the order they are promoted."""
        return self.filter(status=Enrolment.Status.WAITLISTED).order_by("created_at", "pk")

    def with_waitlist_position(self) -> EnrolmentQuerySet:
        """Annotate waitlist_position (1 = next in line); None for everyone not waitlisted."""
        return self.annotate(waitlist_position=waitlist_position())


@functools.cache
def waitlist_position() -> models.Case:
    """The waitlist position as an expression, built once (an enrolment's duplicate check
    uses it on every POST): a query copies the expressions it is given."""
    ahead = (
        Enrolment.objects.filter(session=OuterRef("session"), status=Enrolment.Status.WAITLISTED)
        .filter(
            Q(created_at__lt=OuterRef("created_at"))
            | Q(created_at=OuterRef("created_at"), pk__lt=OuterRef("pk"))
        )
        .order_by()
        .values("session")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return models.Case(
        models.When(status=Enrolment.Status.WAITLISTED, then=Coalesce(Subquery(ahead), 0) + 1),
        default=None,
        output_field=models.IntegerField(),
    )


class Organisation(models.Model):
    """An organisation people enrol for, as advisers know it: its type and country decide
    whether a "free under condition" price applies. Matched to enrolments by key, the name
    compared case- and space-insensitively; new names are added as people enrol."""

    name = models.CharField(_("naam"), max_length=200)
    key = models.CharField(max_length=200, unique=True, editable=False)
    type = models.CharField(
        _("soort"),
        max_length=20,
        choices=OrganisationType.choices,
        blank=True,
        help_text=_("Leeg: nog niet ingedeeld."),
    )
    country = models.CharField(_("land"), max_length=2, choices=Country.choices, blank=True)
    created_at = models.DateTimeField(_("toegevoegd op"), default=timezone.now)

    class Meta:
        verbose_name = _("organisatie")
        verbose_name_plural = _("organisaties")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        if not self.key:  # the key stays when an adviser corrects the spelling of the name
            self.key = organisation_key(self.name)
        super().save(*args, **kwargs)

    @property
    def is_classified(self) -> bool:
        return bool(self.type and self.country)


class EnrolmentGroupQuerySet(models.QuerySet):
    def pending(self) -> EnrolmentGroupQuerySet:
        """Sent, but not yet confirmed by the sender: nobody is placed yet."""
        return self.filter(confirmed_at__isnull=True)

    def expired(self, now=None) -> EnrolmentGroupQuerySet:
        """Pending requests older than GROUP_CONFIRMATION_HOURS: never to be placed."""
        return self.pending().filter(created_at__lte=(now or timezone.now()) - group_ttl())


def group_ttl() -> datetime.timedelta:
    return datetime.timedelta(hours=settings.GROUP_CONFIRMATION_HOURS)


class EnrolmentGroup(models.Model):
    """Colleagues enrolled together with one form, and who filled it in.

    A group is first a request: the rows wait here until the sender confirms their own
    address with the link mailed to them; only then are the colleagues placed (and the rows
    dropped, since they live on as enrolments). Unconfirmed requests are deleted when they
    expire (`manage.py expire_group_requests`)."""

    session = models.ForeignKey(
        Session, verbose_name=_("sessie"), related_name="+", on_delete=models.PROTECT
    )
    organisation = models.CharField(_("organisatie"), max_length=200)
    submitted_by_name = models.CharField(_("ingeschreven door"), max_length=200)
    submitted_by_email = models.EmailField(_("e-mailadres van de inschrijver"), max_length=254)
    language = mail_language_field()
    created_at = models.DateTimeField(_("ontvangen op"), default=timezone.now)
    confirmed_at = models.DateTimeField(
        _("bevestigd op"),
        null=True,
        blank=True,
        help_text=_("Leeg: de inschrijver heeft de link in de e-mail nog niet gebruikt."),
    )
    size = models.PositiveSmallIntegerField(_("aantal collega's"), default=0)
    # The rows as typed, [first name, last name, e-mail, job title], until confirmation.
    people = models.JSONField(default=list, blank=True, editable=False)
    invitation_code = models.CharField(max_length=40, blank=True, editable=False)
    # Part of the confirmation link; a new one would void a link already sent.
    secret = models.UUIDField(default=uuid.uuid4, editable=False)
    confirmation_email = models.ForeignKey(
        "QueuedEmail", related_name="+", on_delete=models.SET_NULL, null=True, editable=False
    )
    anonymised_at = models.DateTimeField(_("geanonimiseerd op"), null=True, blank=True)

    objects = EnrolmentGroupQuerySet.as_manager()

    class Meta:
        verbose_name = _("groepsinschrijving")
        verbose_name_plural = _("groepsinschrijvingen")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.organisation} ({self.submitted_by_name})"

    @property
    def expires_at(self) -> datetime.datetime:
        return self.created_at + group_ttl()


class CostOutcome(models.TextChoices):
    PENDING = "pending", _("Nog te bepalen")
    FREE = "free", _("Gratis")
    REDUCED = "reduced", _("Verlaagd tarief")
    CHARGED = "charged", _("Deelnemersprijs")


class CostReason(models.TextChoices):
    CONDITION_MET = "condition_met", _("Voldoet aan de voorwaarde")
    JUSTIFIED_ABSENCE = "justified_absence", _("Afwezigheid tijdig verantwoord")
    BELOW_MINIMUM = "below_minimum", _("Aanwezigheid onder het minimum")
    NOT_ELIGIBLE = "not_eligible", _("Organisatie komt niet in aanmerking")
    UNCLASSIFIED = "unclassified", _("Soort of land van de organisatie nog onbekend")
    ATTENDANCE_UNKNOWN = "attendance_unknown", _("Aanwezigheid nog niet geregistreerd")
    LATE_CANCELLATION = "late_cancellation", _("Te laat geannuleerd")
    CANCELLED_IN_TIME = "cancelled_in_time", _("Tijdig geannuleerd")
    NOT_PLACED = "not_placed", _("Niet geplaatst (wachtlijst)")
    PARTICIPANT_PRICE = "participant_price", _("Deelnemersprijs")
    NO_PARTICIPANT_PRICE = "no_participant_price", _("Geen deelnemersprijs")


class Enrolment(models.Model):
    class Status(models.TextChoices):
        REGISTERED = "registered", _("Ingeschreven")
        WAITLISTED = "waitlisted", _("Wachtlijst")
        CANCELLED = "cancelled", _("Geannuleerd")

    session = models.ForeignKey(
        Session, verbose_name=_("sessie"), related_name="enrolments", on_delete=models.PROTECT
    )
    first_name = models.CharField(_("voornaam"), max_length=100)
    last_name = models.CharField(_("achternaam"), max_length=100)
    email = models.EmailField(_("e-mailadres"), max_length=254)
    organisation = models.CharField(_("organisatie"), max_length=200)
    organisation_key = models.CharField(max_length=200, editable=False, db_index=True)
    job_title = models.CharField(_("functie"), max_length=200, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.REGISTERED
    )
    # Also the place in the queue: the waiting list is served in created_at order.
    created_at = models.DateTimeField(_("ingeschreven op"), default=timezone.now)
    updated_at = models.DateTimeField(_("gewijzigd op"), auto_now=True)
    privacy_accepted_at = models.DateTimeField(_("privacyverklaring gelezen op"), null=True)
    promoted_at = models.DateTimeField(_("van wachtlijst geplaatst op"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("geannuleerd op"), null=True, blank=True)
    # The reminder a few days before the first day (enrolments/mail/jobs.py): once.
    reminded_at = models.DateTimeField(_("herinnering verstuurd op"), null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("geannuleerd door"),
        related_name="+",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )
    cancellation_reason = models.TextField(_("reden van annulering"), blank=True)
    cancelled_late = models.BooleanField(
        _("late annulering"),
        default=False,
        help_text=_("Geannuleerd na de termijn voor kosteloos annuleren."),
    )
    group = models.ForeignKey(
        EnrolmentGroup,
        verbose_name=_("groepsinschrijving"),
        related_name="enrolments",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )
    # What the organisation pays, worked out after the session (enrolments/settlement/costs.py).
    cost_outcome = models.CharField(
        _("kosten"), max_length=20, choices=CostOutcome.choices, blank=True
    )
    cost_amount = models.DecimalField(
        _("bedrag (€)"), max_digits=9, decimal_places=2, null=True, blank=True
    )
    cost_reason = models.CharField(
        _("reden"), max_length=30, choices=CostReason.choices, blank=True
    )
    cost_open_until = models.DateField(_("afwezigheid te verantwoorden tot"), null=True, blank=True)
    cost_settled_at = models.DateTimeField(_("kosten bepaald op"), null=True, blank=True)
    language = mail_language_field(_("De taal van de e-mails aan deze persoon."))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("ingeschreven door medewerker"),
        related_name="+",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )
    # Identity for the self-service link; the link itself is signed (see tokens.py).
    secret = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    anonymised_at = models.DateTimeField(_("geanonimiseerd op"), null=True, blank=True)

    objects = EnrolmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("inschrijving")
        verbose_name_plural = _("inschrijvingen")
        ordering = ["session", "created_at", "pk"]
        permissions = [("export_enrolments", _("Kan inschrijvingen exporteren"))]
        indexes = [
            models.Index(fields=["session", "status", "created_at"], name="enrolment_queue"),
            models.Index(fields=["session", "organisation_key", "status"], name="enrolment_org"),
        ]
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                "session",
                condition=~Q(status="cancelled"),
                name="enrolment_unique_active_email",
                violation_error_message=_("Dit e-mailadres is al ingeschreven voor deze sessie."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.full_name} ({self.organisation})"

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def is_registered(self) -> bool:
        return self.status == self.Status.REGISTERED

    @property
    def is_waitlisted(self) -> bool:
        return self.status == self.Status.WAITLISTED

    @property
    def is_cancelled(self) -> bool:
        return self.status == self.Status.CANCELLED

    def get_waitlist_position(self) -> int | None:
        """1-based place on the waiting list, or None when not waitlisted (one query, by
        the same rule as EnrolmentQuerySet.with_waitlist_position)."""
        if not self.is_waitlisted:
            return None
        return (
            Enrolment.objects.filter(pk=self.pk)
            .with_waitlist_position()
            .values_list("waitlist_position", flat=True)
            .get()
        )


class EnrolmentEvent(models.Model):
    """The audit trail: who changed which enrolment, when, and from what to what."""

    class Kind(models.TextChoices):
        CREATED = "created", _("Aangemeld")
        PROMOTED = "promoted", _("Van de wachtlijst ingeschreven")
        CANCELLED = "cancelled", _("Geannuleerd")
        CHANGED = "changed", _("Gegevens gewijzigd")
        SUBSTITUTED = "substituted", _("Vervangen door een collega")
        REPEATED = "repeated", _("Opnieuw aangemeld met hetzelfde adres")
        ANONYMISED = "anonymised", _("Persoonsgegevens verwijderd")

    enrolment = models.ForeignKey(
        Enrolment,
        verbose_name=_("inschrijving"),
        related_name="events",
        on_delete=models.CASCADE,
    )
    at = models.DateTimeField(_("tijdstip"), default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("door medewerker"),
        related_name="+",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        help_text=_("Leeg: door de deelnemer zelf of door het systeem."),
    )
    kind = models.CharField(_("gebeurtenis"), max_length=20, choices=Kind.choices)
    from_status = models.CharField(pgettext_lazy("status", "van"), max_length=20, blank=True)
    to_status = models.CharField(pgettext_lazy("status", "naar"), max_length=20, blank=True)
    note = models.CharField(_("toelichting"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("wijziging")
        verbose_name_plural = _("geschiedenis")
        ordering = ["enrolment", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.at:%d-%m-%Y %H:%M})"


class Attendance(models.Model):
    """Whether a registered person was there on one day of the session."""

    class Status(models.TextChoices):
        PRESENT = "present", _("Aanwezig")
        ABSENT = "absent", _("Afwezig")
        EXCUSED = "excused", _("Afwezig met verantwoording")

    enrolment = models.ForeignKey(
        Enrolment,
        verbose_name=_("inschrijving"),
        related_name="attendance",
        on_delete=models.CASCADE,
    )
    day = models.ForeignKey(
        SessionDay, verbose_name=_("dag"), related_name="attendance", on_delete=models.CASCADE
    )
    status = models.CharField(_("aanwezigheid"), max_length=10, choices=Status.choices)
    # For an excused absence, also when it was justified (the condition's window counts).
    marked_at = models.DateTimeField(_("geregistreerd op"), default=timezone.now)
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("door"),
        related_name="+",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )

    class Meta:
        verbose_name = _("aanwezigheid")
        verbose_name_plural = _("aanwezigheid")
        ordering = ["day__date", "enrolment"]
        permissions = [("mark_attendance", _("Kan aanwezigheid registreren"))]
        constraints = [
            models.UniqueConstraint(fields=["enrolment", "day"], name="attendance_one_per_day"),
        ]

    def __str__(self) -> str:
        return f"{self.day}: {self.get_status_display()}"


class Interest(models.Model):
    """Someone who wants to hear when a course without an open session gets one."""

    course = models.ForeignKey(
        Course, verbose_name=_("training"), related_name="interests", on_delete=models.CASCADE
    )
    email = models.EmailField(_("e-mailadres"), max_length=254)
    organisation = models.CharField(_("organisatie"), max_length=200, blank=True)
    city = models.CharField(_("plaats of regio"), max_length=100, blank=True)
    consent_at = models.DateTimeField(_("toestemming gegeven op"))
    language = mail_language_field(_("De taal van de e-mails aan deze persoon."))
    created_at = models.DateTimeField(_("aangemeld op"), default=timezone.now)
    notified_at = models.DateTimeField(_("gemaild op"), null=True, blank=True)
    notified_session = models.ForeignKey(
        Session,
        verbose_name=_("gemaild over sessie"),
        related_name="+",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )
    anonymised_at = models.DateTimeField(_("geanonimiseerd op"), null=True, blank=True)

    class Meta:
        verbose_name = _("belangstelling")
        verbose_name_plural = _("belangstelling")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["course", "notified_at"], name="interest_pending")]
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                "course",
                condition=Q(notified_at__isnull=True),
                name="interest_unique_pending_email",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.email} — {self.course}"


class SessionRequest(models.Model):
    """A request for a custom or in-company session, handled by an adviser."""

    class Status(models.TextChoices):
        NEW = "new", _("Nieuw")
        IN_PROGRESS = "in_progress", _("In behandeling")
        PLANNED = "planned", _("Ingepland")
        DECLINED = "declined", _("Afgewezen")

    course = models.ForeignKey(
        Course,
        verbose_name=_("training"),
        related_name="session_requests",
        on_delete=models.CASCADE,
    )
    organisation = models.CharField(_("organisatie"), max_length=200)
    contact_name = models.CharField(_("contactpersoon"), max_length=200)
    email = models.EmailField(_("e-mailadres"), max_length=254)
    phone = models.CharField(_("telefoon"), max_length=50, blank=True)
    participants = models.PositiveIntegerField(_("aantal deelnemers"))
    preferred_period = models.CharField(_("gewenste periode"), max_length=200, blank=True)
    message = models.TextField(_("toelichting"), blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.NEW
    )
    language = mail_language_field(_("De taal van de e-mails aan deze persoon."))
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("behandeld door"),
        related_name="+",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )
    notes = models.TextField(_("interne notities"), blank=True)
    session = models.ForeignKey(
        Session,
        verbose_name=_("geplande sessie"),
        related_name="+",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )
    created_at = models.DateTimeField(_("ontvangen op"), default=timezone.now)
    updated_at = models.DateTimeField(_("gewijzigd op"), auto_now=True)
    anonymised_at = models.DateTimeField(_("geanonimiseerd op"), null=True, blank=True)

    class Meta:
        verbose_name = _("aanvraag sessie op maat")
        verbose_name_plural = _("aanvragen sessie op maat")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(participants__gt=0), name="sessionrequest_participants_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} — {self.course}"


class QueuedEmail(models.Model):
    """An e-mail stored with the change that caused it, and sent by the worker.

    The request stores what the mail is about (`context`: references to rows and the facts
    of that moment, such as the calendar days and their SEQUENCE); the worker renders it in
    `language`, sends it and keeps the rendered text here. A failed send is retried with
    backoff until MAX_ATTEMPTS, so a mail server that is down never loses or blocks an
    enrolment.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Wacht op verzending")
        SENDING = "sending", _("Wordt verzonden")
        SENT = "sent", _("Verzonden")
        FAILED = "failed", _("Mislukt")
        SUPPRESSED = "suppressed", _("Niet verzonden: herhaalde aanmelding")
        DROPPED = "dropped", _("Niet verzonden: gegevens gewist")

    class Kind(models.TextChoices):
        REGISTERED = "registered", _("Inschrijving bevestigd")
        WAITLISTED = "waitlisted", _("Op de wachtlijst")
        PROMOTED = "promoted", _("Van de wachtlijst geplaatst")
        ALREADY_ENROLLED = "already_enrolled", _("Herhaalde aanmelding")
        CANCELLED = "cancelled", _("Inschrijving geannuleerd")
        SESSION_CONFIRMED = "session_confirmed", _("Sessie gaat door")
        SESSION_CANCELLED = "session_cancelled", _("Sessie geannuleerd")
        SESSION_CHANGED = "session_changed", _("Nieuwe planning")
        INTEREST = "interest", _("Nieuwe sessie voor belangstellenden")
        REQUEST_RECEIVED = "request_received", _("Aanvraag ontvangen")
        GROUP_CONFIRM = "group_confirm", _("Groepsaanmelding bevestigen")
        SUBSTITUTED = "substituted", _("Plaats overgedragen")
        SUBSTITUTE = "substitute", _("Plaats overgenomen")
        SUBSTITUTE_ENROLLED = "substitute_enrolled", _("Overdracht aan ingeschreven collega")
        REMINDER = "reminder", _("Herinnering")
        SESSION_DECIDED = "session_decided", _("Besluit voor de adviseur")

    kind = models.CharField(_("soort"), max_length=40, choices=Kind.choices)
    to = models.EmailField(_("aan"), max_length=254)
    language = mail_language_field()
    context = models.JSONField(_("inhoud"), default=dict, blank=True)
    subject = models.CharField(_("onderwerp"), max_length=300, blank=True)
    body_text = models.TextField(_("tekst"), blank=True)
    body_html = models.TextField(_("HTML"), blank=True)
    attachments = models.JSONField(_("bijlagen"), default=list, blank=True)
    enrolment = models.ForeignKey(
        Enrolment,
        verbose_name=_("inschrijving"),
        related_name="emails",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("pogingen"), default=0)
    last_error = models.TextField(_("laatste fout"), blank=True)
    created_at = models.DateTimeField(_("aangemaakt op"), default=timezone.now)
    next_attempt_at = models.DateTimeField(_("volgende poging"), default=timezone.now)
    claimed_at = models.DateTimeField(_("verzending begonnen op"), null=True, blank=True)
    sent_at = models.DateTimeField(_("verzonden op"), null=True, blank=True)

    class Meta:
        verbose_name = _("e-mail")
        verbose_name_plural = _("e-mails")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["status", "created_at"], name="queuedemail_status"),
            models.Index(fields=["status", "next_attempt_at"], name="queuedemail_due"),
            # What still has to go, oldest first (the claim, and /healthz's oldest unsent
            # mail): a small index, whatever the size of the sent history.
            models.Index(
                fields=["created_at"],
                name="queuedemail_unsent",
                condition=models.Q(status__in=["pending", "sending", "failed"]),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.subject} → {self.to}"
