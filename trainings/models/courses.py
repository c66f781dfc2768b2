"""A course in the catalogue, its programme and its prices."""

import datetime
from decimal import Decimal

from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from trainings import terms
from trainings.fields import URLField
from trainings.localised import LocalisedOrder
from trainings.models.taxonomy import (
    Audience,
    Country,
    Delivery,
    Format,
    Level,
    Lifecycle,
    OrganisationType,
    PriceCategory,
    Provider,
    Theme,
    working_days_field,
)
from trainings.querysets import CourseQuerySet
from trainings.reversing import reverse_one


class Course(models.Model):
    """A training in the catalogue."""

    title = models.CharField(_("titel"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=200, unique=True)
    is_published = models.BooleanField(
        _("gepubliceerd"),
        default=False,
        help_text=_("Alleen gepubliceerde trainingen staan in de openbare catalogus."),
    )
    summary = models.CharField(
        _("samenvatting"), max_length=300, help_text=_("Eén of twee zinnen voor de lijst.")
    )
    description = models.TextField(
        _("beschrijving"), blank=True, help_text=_("Alinea's scheiden met een witregel.")
    )
    objectives = models.TextField(
        _("doelstellingen"), blank=True, help_text=_("Eén doelstelling per regel.")
    )
    audience_text = models.TextField(_("doelgroep (tekst)"), blank=True)
    audiences = models.ManyToManyField(
        Audience, verbose_name=_("doelgroepen"), related_name="courses", blank=True
    )
    methods = models.TextField(_("pedagogische methoden"), blank=True)
    content = models.TextField(
        _("inhoud"),
        blank=True,
        help_text=_("Eén onderwerp per regel; begin een regel met '-' voor een deelonderwerp."),
    )
    practical_info = models.TextField(
        _("praktische informatie"),
        blank=True,
        help_text=_("Bijvoorbeeld waar de training te volgen is of wat vooraf geregeld moet zijn."),
    )
    duration = models.CharField(
        _("duur"), max_length=100, blank=True, help_text=_("Bijvoorbeeld: 3 uur, 2 lesdagen.")
    )
    formats = models.ManyToManyField(
        Format, verbose_name=_("werkvormen"), related_name="courses", blank=True
    )
    theme = models.ForeignKey(
        Theme,
        verbose_name=_("thema"),
        related_name="courses",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )
    level = models.CharField(_("niveau"), max_length=20, choices=Level.choices, blank=True)
    providers = models.ManyToManyField(
        Provider, verbose_name=_("aanbieders"), related_name="courses", blank=True
    )
    default_capacity = models.PositiveIntegerField(
        _("maximum aantal deelnemers per sessie"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
    )
    default_min_participants = models.PositiveIntegerField(
        _("minimum aantal inschrijvingen"),
        null=True,
        blank=True,
        help_text=_("Een sessie gaat alleen door bij dit aantal inschrijvingen."),
    )
    max_per_organisation = models.PositiveIntegerField(
        _("maximum per organisatie"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_("Bijvoorbeeld maximaal 16 deelnemers per bibliotheek."),
    )
    free_cancellation_working_days = working_days_field(
        _(
            "Tot hoeveel werkdagen voor de eerste lesdag een deelnemer kosteloos annuleert; "
            "daarna is de volledige prijs verschuldigd. Leeg: de termijn van de organiserende "
            "aanbieder, of anders die van de catalogus."
        )
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Lifecycle.choices, default=Lifecycle.AVAILABLE
    )
    available_from = models.DateField(
        _("verwacht vanaf"),
        null=True,
        blank=True,
        help_text=_("Alleen maand en jaar worden getoond."),
    )
    guaranteed_until = models.DateField(
        _("beschikbaarheid gegarandeerd tot"), null=True, blank=True
    )
    contact_provider = models.ForeignKey(
        Provider,
        verbose_name=_("contact via"),
        related_name="contact_for",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )
    contact_name = models.CharField(_("contactpersoon"), max_length=200, blank=True)
    contact_email = models.EmailField(_("e-mailadres contactpersoon"), blank=True)
    contact_phone = models.CharField(_("telefoon contactpersoon"), max_length=50, blank=True)
    contact_note = models.CharField(_("toelichting contact"), max_length=300, blank=True)
    price_category = models.CharField(
        _("kosten"),
        max_length=20,
        choices=PriceCategory.choices,
        blank=True,
        help_text=_(
            "Voor een training zonder eigen prijzen, zoals bij een andere aanbieder: of "
            "deelnemen gratis is. Met prijzen tellen die."
        ),
    )
    delivery = models.CharField(
        _("hoe te volgen"),
        max_length=20,
        choices=Delivery.choices,
        default=Delivery.SCHEDULED,
        help_text=_(
            "Op een ander leerplatform of te boeken bij de aanbieder: de pagina wijst dan naar "
            "de externe link in plaats van sessies en 'houd me op de hoogte'."
        ),
    )
    platform_name = models.CharField(
        _("naam leerplatform"),
        max_length=100,
        blank=True,
        help_text=_("Bijvoorbeeld: Bibliotheek Campus. De knop wordt dan 'Start op …'."),
    )
    external_url = URLField(_("externe link"), blank=True)
    external_url_label = models.CharField(_("tekst externe link"), max_length=200, blank=True)
    related_courses = models.ManyToManyField(
        "self", verbose_name=_("gerelateerde trainingen"), blank=True, symmetrical=True
    )
    created_at = models.DateTimeField(_("aangemaakt op"), auto_now_add=True)
    updated_at = models.DateTimeField(_("gewijzigd op"), auto_now=True)
    # Kept up to date by trainings.search.refresh(): the searchable text of every language
    # without accents (both databases), and per site language a weighted text-search vector
    # in that language's configuration (PostgreSQL, GIN-indexed; trainings.matching.CONFIGS).
    search_text = models.TextField(default="", blank=True, editable=False)
    search_vector_nl = SearchVectorField(null=True, editable=False)
    search_vector_fr = SearchVectorField(null=True, editable=False)
    search_vector_en = SearchVectorField(null=True, editable=False)

    objects = CourseQuerySet.as_manager()

    class Meta:
        verbose_name = _("training")
        verbose_name_plural = _("trainingen")
        ordering = [LocalisedOrder("title"), "pk"]
        indexes = [
            models.Index(fields=["is_published", "title"], name="course_published_title"),
            models.Index(fields=["is_published", "-created_at"], name="course_published_created"),
            # Narrow indexes the facet counts scan instead of the wide course rows.
            models.Index(fields=["id"], condition=Q(is_published=True), name="course_published_id"),
            models.Index(fields=["level", "id"], name="course_level"),
            models.Index(fields=["theme", "id"], name="course_theme_id"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(default_capacity__isnull=True) | Q(default_capacity__gt=0),
                name="course_default_capacity_positive",
            ),
            models.CheckConstraint(
                condition=Q(default_capacity__isnull=True)
                | Q(default_min_participants__isnull=True)
                | Q(default_min_participants__lte=F("default_capacity")),
                name="course_min_within_capacity",
            ),
            models.CheckConstraint(
                condition=Q(max_per_organisation__isnull=True) | Q(max_per_organisation__gt=0),
                name="course_max_per_organisation_positive",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse_one("catalogue:course-detail", self.slug)

    def clean(self):
        super().clean()
        if self.delivery != Delivery.SCHEDULED and not self.external_url:
            raise ValidationError(
                {
                    "external_url": _(
                        "Een training op een ander platform of bij de aanbieder heeft een "
                        "externe link nodig."
                    )
                }
            )

    @property
    def is_in_development(self) -> bool:
        return self.status == Lifecycle.IN_DEVELOPMENT

    @property
    def is_expected(self) -> bool:
        """Announced for a date still to come (or with no date): a date that passed is no
        longer a promise, so the course then reads as available since that month."""
        if self.status != Lifecycle.EXPECTED:
            return False
        return self.available_from is None or self.available_from > timezone.localdate()

    @property
    def arrived_from(self) -> datetime.date | None:
        """The 'expected from' date once it has passed, else None."""
        if self.status == Lifecycle.EXPECTED and self.available_from and not self.is_expected:
            return self.available_from
        return None

    @property
    def guarantee_has_passed(self) -> bool:
        """Whether the date until which availability was guaranteed lies in the past."""
        return self.guaranteed_until is not None and self.guaranteed_until < timezone.localdate()

    @property
    def runs_elsewhere(self) -> bool:
        """Followed on another platform or booked with the provider: never scheduled here."""
        return self.delivery != Delivery.SCHEDULED and bool(self.external_url)

    @property
    def external_action_label(self) -> str:
        """The text of the button to the external link."""
        if self.external_url_label:
            return self.external_url_label
        if self.delivery == Delivery.PLATFORM:
            if self.platform_name:
                return _("Start op %(platform)s") % {"platform": self.platform_name}
            return _("Start op het leerplatform")
        if self.delivery == Delivery.PROVIDER:
            return _("Naar de aanbieder")
        return _("Naar de website van de aanbieder")

    @property
    def max_per_group(self) -> int | None:
        """How many people of one organisation one session takes: the per-organisation cap
        and the session maximum, whichever is lower (None: no limit set)."""
        caps = [cap for cap in (self.max_per_organisation, self.default_capacity) if cap]
        return min(caps, default=None)

    @property
    def cancellation_working_days(self) -> int:
        """Free cancellation until this many working days before a session (the course's own
        term, else its contact provider's, else the catalogue's)."""
        if self.free_cancellation_working_days is not None:
            return self.free_cancellation_working_days
        provider = self.contact_provider
        if provider is not None and provider.free_cancellation_working_days is not None:
            return provider.free_cancellation_working_days
        return terms.default_working_days()

    def session_defaults(self) -> dict:
        """What a new session of this course starts with: capacity, minimum and cap."""
        return {
            "capacity": self.default_capacity,
            "min_participants": self.default_min_participants or 0,
            "max_per_organisation": self.max_per_organisation,
        }

    @property
    def has_open_session(self) -> bool:
        """Whether any session in upcoming_sessions (see the course page's query) is open."""
        return any(session.is_open_for_registration for session in self.upcoming_sessions)

    @property
    def objective_lines(self) -> list[str]:
        return [line.strip() for line in self.objectives.splitlines() if line.strip()]


class ProgrammePart(models.Model):
    """One day or part of a course's programme, with its topics and learning goal."""

    course = models.ForeignKey(
        Course, verbose_name=_("training"), related_name="programme", on_delete=models.CASCADE
    )
    position = models.PositiveSmallIntegerField(_("volgorde"), default=0)
    title = models.CharField(_("titel"), max_length=200, help_text=_("Bijvoorbeeld: Lesdag 1."))
    topics = models.TextField(_("onderwerpen"), help_text=_("Eén onderwerp per regel."))
    learning_goal = models.TextField(_("leerdoel"), blank=True)

    class Meta:
        verbose_name = _("programmaonderdeel")
        verbose_name_plural = _("programma")
        ordering = ["course", "position", "pk"]

    def __str__(self) -> str:
        return self.title

    @property
    def topic_lines(self) -> list[str]:
        return [line.strip() for line in self.topics.splitlines() if line.strip()]


class Price(models.Model):
    """One way a course is paid for; amounts in euro, as Decimal."""

    class Kind(models.TextChoices):
        PER_PARTICIPANT = "per_participant", _("Prijs per deelnemer")
        FREE_UNDER_CONDITION = "free_under_condition", _("Gratis onder voorwaarde")
        PER_RESERVED_SESSION = "per_reserved_session", _("Prijs per gereserveerde sessie")
        CUSTOM_SESSION = "custom_session", _("Prijs per sessie op maat")

    AMOUNT_KINDS = (Kind.PER_PARTICIPANT, Kind.PER_RESERVED_SESSION)

    course = models.ForeignKey(
        Course, verbose_name=_("training"), related_name="prices", on_delete=models.CASCADE
    )
    kind = models.CharField(_("soort"), max_length=30, choices=Kind.choices)
    amount = models.DecimalField(
        _("bedrag (€)"),
        max_digits=9,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
    )
    condition = models.TextField(
        _("voorwaarde of toelichting"),
        blank=True,
        help_text=_("Verplicht bij 'gratis onder voorwaarde'."),
    )
    position = models.PositiveSmallIntegerField(_("volgorde"), default=0)
    # The rule behind "free under condition" (amount: empty or 0 = free, more = reduced).
    eligible_types = models.JSONField(
        _("voor medewerkers van"),
        default=list,
        blank=True,
        help_text=_("Soorten organisaties die in aanmerking komen. Niets aangevinkt: iedereen."),
    )
    eligible_country = models.CharField(
        _("in land"),
        max_length=2,
        choices=Country.choices,
        blank=True,
        help_text=_("Leeg: organisaties uit elk land."),
    )
    min_attendance = models.PositiveSmallIntegerField(
        _("minimale aanwezigheid (%)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text=_("Bijvoorbeeld 75 of 100. Leeg: aanwezigheid telt niet mee."),
    )
    justification_days = models.PositiveSmallIntegerField(
        _("afwezigheid verantwoorden binnen (dagen)"),
        default=15,
        validators=[MaxValueValidator(365)],
        help_text=_("Na de laatste lesdag; een tijdig verantwoorde afwezigheid kost niets."),
    )

    class Meta:
        verbose_name = _("prijs")
        verbose_name_plural = _("prijzen")
        ordering = ["course", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["course", "kind"], name="price_one_per_kind"),
            models.CheckConstraint(
                condition=Q(amount__isnull=True) | Q(amount__gte=0),
                name="price_amount_not_negative",
            ),
            models.CheckConstraint(
                condition=~Q(kind__in=["per_participant", "per_reserved_session"])
                | Q(amount__isnull=False),
                name="price_amount_required_for_kind",
            ),
            models.CheckConstraint(
                condition=~Q(kind="free_under_condition") | ~Q(condition=""),
                name="price_condition_required_when_free_under_condition",
            ),
            models.CheckConstraint(
                condition=Q(min_attendance__isnull=True)
                | Q(min_attendance__gte=1, min_attendance__lte=100),
                name="price_min_attendance_percentage",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.amount if self.amount is not None else '—'}"

    def clean(self):
        unknown = set(self.eligible_types or []) - set(OrganisationType.values)
        if unknown:
            raise ValidationError(
                {"eligible_types": _("Onbekende soort organisatie: %s") % ", ".join(unknown)}
            )
        if self.kind != self.Kind.FREE_UNDER_CONDITION and (
            self.eligible_types or self.eligible_country or self.min_attendance
        ):
            raise ValidationError(
                _("Voorwaarden horen alleen bij de prijssoort 'gratis onder voorwaarde'.")
            )

    def is_eligible(self, organisation_type: str, country: str) -> bool:
        """Whether staff of such an organisation can follow the course under this condition."""
        if self.eligible_types and organisation_type not in self.eligible_types:
            return False
        return not self.eligible_country or country == self.eligible_country

    @property
    def eligible_types_display(self) -> list[str]:
        labels = dict(OrganisationType.choices)
        return [str(labels[value]) for value in self.eligible_types if value in labels]

    @property
    def is_free(self) -> bool:
        return self.kind == self.Kind.FREE_UNDER_CONDITION or self.amount == 0
