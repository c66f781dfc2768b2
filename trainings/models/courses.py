"""What is offered: providers, audiences, formats, themes, courses, prices and sessions."""

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from trainings import terms
from trainings.fields import URLField
from trainings.querysets import CourseQuerySet, SessionQuerySet


class Country(models.TextChoices):
    NETHERLANDS = "NL", _("Nederland")
    BELGIUM = "BE", _("België")


class OrganisationType(models.TextChoices):
    """What kind of organisation people work for; conditions on prices refer to these."""

    LIBRARY = "library", _("Bibliotheek")
    MUNICIPALITY = "municipality", _("Gemeente")
    OCMW = "ocmw", _("OCMW")
    PROVINCE = "province", _("Provincie")
    SUPPORT = "support", _("POI of steunpunt")
    EDUCATION = "education", _("Onderwijs")
    NONPROFIT = "nonprofit", _("Maatschappelijke organisatie")
    COMPANY = "company", _("Bedrijf")
    OTHER = "other", _("Andere")


def working_days_field(help_text):
    return models.PositiveSmallIntegerField(
        _("kosteloos annuleren tot (werkdagen voor de sessie)"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(60)],
        help_text=help_text,
    )


class Provider(models.Model):
    """An organisation that gives trainings, or a POI that supports libraries."""

    class Kind(models.TextChoices):
        PROVIDER = "provider", _("Opleider")
        POI = "poi", _("POI")
        NETWORK = "network", _("Netwerk of samenwerkingsverband")
        GOVERNMENT = "government", _("Overheidsorganisatie")

    name = models.CharField(_("naam"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=200, unique=True)
    kind = models.CharField(_("soort"), max_length=20, choices=Kind.choices, default=Kind.PROVIDER)
    description = models.TextField(_("beschrijving"), blank=True)
    website = URLField(_("website"), blank=True)
    email = models.EmailField(_("e-mailadres"), blank=True)
    free_cancellation_working_days = working_days_field(
        _(
            "Standaard voor de trainingen van deze aanbieder. Leeg: de algemene termijn van de "
            "catalogus."
        )
    )

    class Meta:
        verbose_name = _("aanbieder")
        verbose_name_plural = _("aanbieders")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Audience(models.Model):
    """A target group, such as IDO-medewerkers or ambtenaren van gemeenten en OCMW's."""

    name = models.CharField(_("naam"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=200, unique=True)

    class Meta:
        verbose_name = _("doelgroep")
        verbose_name_plural = _("doelgroepen")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Format(models.Model):
    """How a training is given: klassikaal, e-learning, online live, blended, …"""

    name = models.CharField(_("naam"), max_length=100)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    position = models.PositiveSmallIntegerField(_("volgorde"), default=0)

    class Meta:
        verbose_name = _("werkvorm")
        verbose_name_plural = _("werkvormen")
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name


class Theme(models.Model):
    """A theme or programme line, such as Digitaal burgerschap."""

    name = models.CharField(_("naam"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=200, unique=True)
    description = models.TextField(_("beschrijving"), blank=True)
    position = models.PositiveSmallIntegerField(_("volgorde"), default=0)

    class Meta:
        verbose_name = _("thema")
        verbose_name_plural = _("thema's")
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return f"{reverse('catalogue:course-list')}?theme={self.slug}"


class Level(models.TextChoices):
    BASIC = "basis", _("Basis")
    ADVANCED = "verdieping", _("Verdieping")


class Lifecycle(models.TextChoices):
    AVAILABLE = "available", _("Beschikbaar")
    IN_DEVELOPMENT = "in_development", _("In ontwikkeling")
    EXPECTED = "expected", _("Verwacht")


class Delivery(models.TextChoices):
    """How a course is taken: in sessions planned here, or elsewhere."""

    SCHEDULED = "scheduled", _("In sessies uit deze catalogus")
    PLATFORM = "platform", _("Op een ander leerplatform")
    PROVIDER = "provider", _("Te boeken bij de aanbieder")


class PriceCategory(models.TextChoices):
    """What taking part costs, for a course without prices of its own (schema.org Offer)."""

    FREE = "free", _("Gratis")
    PARTIALLY_FREE = "partially_free", _("Deels gratis")
    PAID = "paid", _("Betaald")


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
    # Kept up to date by trainings.search.refresh(): the searchable text without accents
    # (SQLite) and the weighted Dutch text-search vector (PostgreSQL, GIN-indexed).
    search_text = models.TextField(default="", blank=True, editable=False)
    search_vector = SearchVectorField(null=True, editable=False)

    objects = CourseQuerySet.as_manager()

    class Meta:
        verbose_name = _("training")
        verbose_name_plural = _("trainingen")
        ordering = ["title"]
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
        return reverse("catalogue:course-detail", kwargs={"slug": self.slug})

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


class Location(models.Model):
    """Where a session takes place: a venue with an address, or online."""

    Country = Country

    TIMEZONES = {"NL": "Europe/Amsterdam", "BE": "Europe/Brussels"}

    name = models.CharField(_("naam"), max_length=200, help_text=_("Bijvoorbeeld de bibliotheek."))
    is_online = models.BooleanField(_("online"), default=False)
    street_address = models.CharField(_("adres"), max_length=200, blank=True)
    postal_code = models.CharField(_("postcode"), max_length=20, blank=True)
    city = models.CharField(_("plaats"), max_length=100, blank=True)
    country = models.CharField(
        _("land"), max_length=2, choices=Country.choices, default=Country.NETHERLANDS
    )

    class Meta:
        verbose_name = _("locatie")
        verbose_name_plural = _("locaties")
        ordering = ["-is_online", "city", "name"]
        indexes = [models.Index(fields=["city"], name="location_city")]
        constraints = [
            models.CheckConstraint(
                condition=Q(is_online=True) | ~Q(city=""), name="location_venue_has_city"
            ),
        ]

    def __str__(self) -> str:
        if self.is_online:
            return self.name
        return f"{self.name}, {self.city}"

    @property
    def place(self) -> str:
        return _("Online") if self.is_online else self.city

    @property
    def tzinfo(self) -> ZoneInfo:
        return ZoneInfo(self.TIMEZONES.get(self.country, settings.TIME_ZONE))

    @property
    def one_line_address(self) -> str:
        parts = [
            self.name,
            self.street_address,
            " ".join(p for p in (self.postal_code, self.city) if p),
        ]
        return ", ".join(p for p in parts if p)


class Session(models.Model):
    """One scheduled run of a course, on one or more days."""

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Gepland")
        CONFIRMED = "confirmed", _("Gaat door")
        CANCELLED = "cancelled", _("Geannuleerd")

    course = models.ForeignKey(
        Course, verbose_name=_("training"), related_name="sessions", on_delete=models.PROTECT
    )
    code = models.CharField(
        _("sessiecode"),
        max_length=40,
        blank=True,
        help_text=_("Optioneel eigen kenmerk, bijvoorbeeld IDO-2026-03."),
    )
    location = models.ForeignKey(
        Location, verbose_name=_("locatie"), related_name="sessions", on_delete=models.PROTECT
    )
    # Span of the session's days, kept in step by SessionDay.save()/delete() (sync_span());
    # stored so that listings can filter, order and index on it.
    starts_at = models.DateTimeField(_("begint op"), null=True, editable=False)
    ends_at = models.DateTimeField(_("eindigt op"), null=True, editable=False)
    capacity = models.PositiveIntegerField(
        _("maximum aantal deelnemers"), validators=[MinValueValidator(1)]
    )
    min_participants = models.PositiveIntegerField(
        _("minimum aantal inschrijvingen"),
        default=0,
        help_text=_("De sessie gaat alleen door bij dit aantal inschrijvingen; 0 = geen minimum."),
    )
    max_per_organisation = models.PositiveIntegerField(
        _("maximum per organisatie"), null=True, blank=True, validators=[MinValueValidator(1)]
    )
    registration_deadline = models.DateTimeField(
        _("inschrijven kan tot"),
        null=True,
        blank=True,
        help_text=_(
            "Leeg: een week voor de eerste dag. Op dit moment valt ook het besluit of "
            "de sessie doorgaat."
        ),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.SCHEDULED
    )
    trainer = models.CharField(_("trainer"), max_length=200, blank=True)
    organiser = models.ForeignKey(
        Provider,
        verbose_name=_("georganiseerd door"),
        related_name="organised_sessions",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )
    adviser = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("POI-adviseur"),
        related_name="scheduled_sessions",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )
    reserved_for = models.CharField(
        _("gereserveerd voor organisatie"),
        max_length=200,
        blank=True,
        help_text=_("Alleen mensen van deze organisatie kunnen zich inschrijven."),
    )
    invitation_code = models.CharField(
        _("uitnodigingscode"),
        max_length=40,
        blank=True,
        help_text=_(
            "Bij een gereserveerde sessie: met deze code kunnen ook anderen zich inschrijven, "
            "bijvoorbeeld collega's van een partnerorganisatie."
        ),
    )
    online_url = URLField(
        _("link online bijeenkomst"),
        blank=True,
        help_text=_("Alleen zichtbaar voor ingeschreven deelnemers."),
    )
    notes = models.TextField(_("interne notities"), blank=True)
    decided_at = models.DateTimeField(
        _("besluit genomen op"), null=True, blank=True, editable=False
    )
    cancellation_reason = models.TextField(
        _("reden van annulering"),
        blank=True,
        help_text=_("Wordt meegestuurd in de e-mail aan de deelnemers."),
    )
    created_at = models.DateTimeField(_("aangemaakt op"), auto_now_add=True)
    updated_at = models.DateTimeField(_("gewijzigd op"), auto_now=True)

    objects = SessionQuerySet.as_manager()

    class Meta:
        verbose_name = _("sessie")
        verbose_name_plural = _("sessies")
        ordering = ["starts_at", "pk"]
        indexes = [
            models.Index(fields=["course", "starts_at"], name="session_course_start"),
            models.Index(fields=["starts_at"], name="session_start"),
            models.Index(
                fields=["status", "registration_deadline"], name="session_status_deadline"
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(capacity__gt=0), name="session_capacity_positive"),
            models.CheckConstraint(
                condition=Q(min_participants__lte=F("capacity")),
                name="session_min_within_capacity",
            ),
            models.CheckConstraint(
                condition=Q(max_per_organisation__isnull=True) | Q(max_per_organisation__gt=0),
                name="session_max_per_organisation_positive",
            ),
            models.CheckConstraint(
                condition=Q(starts_at__isnull=True)
                | Q(ends_at__isnull=True)
                | Q(ends_at__gt=F("starts_at")),
                name="session_ends_after_start",
            ),
            models.UniqueConstraint(
                fields=["code"], condition=~Q(code=""), name="session_code_unique"
            ),
        ]

    def __str__(self) -> str:
        when = timezone.localtime(self.starts_at).strftime("%d-%m-%Y") if self.starts_at else "—"
        return f"{self.course} — {when}, {self.location.place if self.location_id else ''}"

    def sync_span(self) -> None:
        """Store the first start and last end of the session's days on the session row."""
        days = list(self.days.all())
        self.starts_at = min((d.starts_at for d in days), default=None)
        self.ends_at = max((d.ends_at for d in days), default=None)
        Session.objects.filter(pk=self.pk).update(starts_at=self.starts_at, ends_at=self.ends_at)

    def copy_values(self, first_day: datetime.date) -> tuple[dict, list[dict]]:
        """The fields and days of a copy starting on first_day, for a form to prefill.

        Days and the deadline move by whole days in the location's wall-clock time, so a
        09:30 deadline stays 09:30 across a daylight-saving change. Nothing is saved.
        """
        days = list(self.days.order_by("date"))
        offset = first_day - days[0].date if days else datetime.timedelta(0)
        deadline = None
        if self.registration_deadline is not None:
            tz = self.location.tzinfo
            local = timezone.localtime(self.registration_deadline, tz)
            deadline = datetime.datetime.combine(local.date() + offset, local.time(), tzinfo=tz)
        fields = {
            "course": self.course_id,
            "location": self.location_id,
            "capacity": self.capacity,
            "min_participants": self.min_participants,
            "max_per_organisation": self.max_per_organisation,
            "registration_deadline": deadline,
            "organiser": self.organiser_id,
            "trainer": self.trainer,
            "reserved_for": self.reserved_for,
            "invitation_code": self.invitation_code,
            "online_url": self.online_url,
        }
        return fields, [
            {"date": day.date + offset, "start_time": day.start_time, "end_time": day.end_time}
            for day in days
        ]

    # Without a deadline of its own, registration closes this long before the first day.
    DEFAULT_DEADLINE_BEFORE = datetime.timedelta(days=7)

    @classmethod
    def default_closes_at(
        cls, first_start: datetime.datetime, tz: ZoneInfo | None = None
    ) -> datetime.datetime:
        """A week before the first day, at the same wall-clock time where the session is
        held (tz, else the start's own zone), also when daylight-saving time falls between."""
        local = first_start.astimezone(tz) if tz is not None else first_start
        return local - cls.DEFAULT_DEADLINE_BEFORE

    @property
    def closes_at(self) -> datetime.datetime | None:
        """When public enrolment closes: the deadline, or else the start of the session."""
        return self.registration_deadline or self.starts_at

    @property
    def has_started(self) -> bool:
        return self.starts_at is not None and self.starts_at <= timezone.now()

    @property
    def is_scheduled(self) -> bool:
        """Planned, not yet decided whether it goes ahead."""
        return self.status == self.Status.SCHEDULED

    @property
    def is_confirmed(self) -> bool:
        return self.status == self.Status.CONFIRMED

    @property
    def is_cancelled(self) -> bool:
        return self.status == self.Status.CANCELLED

    @property
    def is_multi_day(self) -> bool:
        return len(self.days.all()) > 1

    # The properties below read registered_count / waitlisted_count, annotated by
    # SessionQuerySet.with_counts(), so a listing never counts per row.

    @property
    def places_left(self) -> int:
        return max(self.capacity - self.registered_count, 0)

    @property
    def is_full(self) -> bool:
        return self.registered_count >= self.capacity

    @property
    def is_open_for_registration(self) -> bool:
        now = timezone.now()
        return (
            not self.is_cancelled
            and self.starts_at is not None
            and self.starts_at > now
            and self.closes_at > now
        )

    # -- Cancellation terms (expect course, its contact provider and organiser loaded) --------

    @property
    def free_cancellation_working_days(self) -> int:
        """The course's term, else the organising provider's, else as for the course."""
        if (
            self.course.free_cancellation_working_days is None
            and self.organiser_id
            and self.organiser.free_cancellation_working_days is not None
        ):
            return self.organiser.free_cancellation_working_days
        return self.course.cancellation_working_days

    @property
    def free_cancellation_until(self) -> datetime.date | None:
        """The last day on which cancelling costs nothing (local to the venue)."""
        if self.starts_at is None:
            return None
        first_day = timezone.localtime(self.starts_at, self.location.tzinfo).date()
        return terms.working_days_before(
            first_day, self.free_cancellation_working_days, self.location.country
        )

    def is_late_cancellation(self, moment: datetime.datetime) -> bool:
        until = self.free_cancellation_until
        return until is not None and timezone.localtime(moment, self.location.tzinfo).date() > until

    @property
    def needs_more_registrations(self) -> int:
        """How many registrations are still missing before the session can go ahead."""
        if not self.is_scheduled:
            return 0
        return max(self.min_participants - self.registered_count, 0)


class SessionDay(models.Model):
    """One day of a session, with its start and end time (local to the session's country)."""

    session = models.ForeignKey(
        Session, verbose_name=_("sessie"), related_name="days", on_delete=models.CASCADE
    )
    date = models.DateField(_("datum"))
    start_time = models.TimeField(_("begintijd"))
    end_time = models.TimeField(_("eindtijd"))
    # What calendars that imported this day need to take an update (RFC 5545 SEQUENCE and
    # LAST-MODIFIED): raised by trainings.services.session_days_revise when the day's time,
    # place or status changes. The day's id is its UID, so moving it keeps the same event.
    calendar_sequence = models.PositiveIntegerField(
        _("versie in agenda's"), default=0, editable=False
    )
    calendar_changed_at = models.DateTimeField(
        _("gewijzigd voor agenda's op"), default=timezone.now, editable=False
    )

    class Meta:
        verbose_name = _("sessiedag")
        verbose_name_plural = _("sessiedagen")
        ordering = ["date", "start_time"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_time__gt=F("start_time")), name="sessionday_ends_after_start"
            ),
            models.UniqueConstraint(fields=["session", "date"], name="sessionday_one_per_date"),
        ]

    def __str__(self) -> str:
        return f"{self.date:%d-%m-%Y} {self.start_time:%H:%M}–{self.end_time:%H:%M}"

    # The session's stored span follows its days on every save and delete of a day, so no
    # caller has to remember it (bulk writes, as generate_catalogue's, store it themselves).
    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        self.session.sync_span()

    def delete(self, *args, **kwargs):
        result = super().delete(*args, **kwargs)
        self.session.sync_span()
        return result

    def _tz(self) -> ZoneInfo:
        return self.session.location.tzinfo if self.session_id else ZoneInfo(settings.TIME_ZONE)

    @property
    def starts_at(self) -> datetime.datetime:
        return datetime.datetime.combine(self.date, self.start_time, tzinfo=self._tz())

    @property
    def ends_at(self) -> datetime.datetime:
        return datetime.datetime.combine(self.date, self.end_time, tzinfo=self._tz())


class Profile(models.Model):
    """A competency profile for a role, listing the trainings that role needs."""

    name = models.CharField(_("naam"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=200, unique=True)
    summary = models.CharField(_("samenvatting"), max_length=300, blank=True)
    description = models.TextField(_("beschrijving"), blank=True)
    courses = models.ManyToManyField(
        Course, verbose_name=_("trainingen"), related_name="profiles", blank=True
    )

    class Meta:
        verbose_name = _("competentieprofiel")
        verbose_name_plural = _("competentieprofielen")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("catalogue:profile-detail", kwargs={"slug": self.slug})


class LearningPath(models.Model):
    """A route through several courses: an onboarding, a leergang, a deskundigheidstraject."""

    class Kind(models.TextChoices):
        ONBOARDING = "onboarding", _("Onboardingtraject")
        LEERGANG = "leergang", _("Leergang")
        TRAJECT = "traject", _("Deskundigheidstraject")

    title = models.CharField(_("titel"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=200, unique=True)
    kind = models.CharField(_("soort"), max_length=20, choices=Kind.choices)
    status = models.CharField(
        _("status"), max_length=20, choices=Lifecycle.choices, default=Lifecycle.AVAILABLE
    )
    summary = models.CharField(_("samenvatting"), max_length=300)
    description = models.TextField(_("beschrijving"), blank=True)
    is_published = models.BooleanField(_("gepubliceerd"), default=False)
    courses = models.ManyToManyField(
        Course, through="LearningPathStep", related_name="learning_paths", blank=True
    )

    class Meta:
        verbose_name = _("leerlijn")
        verbose_name_plural = _("leerlijnen")
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("catalogue:path-detail", kwargs={"slug": self.slug})

    @property
    def is_available(self) -> bool:
        return self.status == Lifecycle.AVAILABLE


class LearningPathStep(models.Model):
    path = models.ForeignKey(
        LearningPath, verbose_name=_("leerlijn"), related_name="steps", on_delete=models.CASCADE
    )
    course = models.ForeignKey(
        Course, verbose_name=_("training"), related_name="path_steps", on_delete=models.CASCADE
    )
    position = models.PositiveSmallIntegerField(_("volgorde"), default=0)
    is_optional = models.BooleanField(_("keuzeonderdeel"), default=False)

    class Meta:
        verbose_name = _("onderdeel van leerlijn")
        verbose_name_plural = _("onderdelen van leerlijn")
        ordering = ["path", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["path", "course"], name="pathstep_course_once"),
        ]

    def __str__(self) -> str:
        return f"{self.path}: {self.course}"


class Resource(models.Model):
    """Something to download or open: a toolkit, manual or presentation template."""

    course = models.ForeignKey(
        Course,
        verbose_name=_("training"),
        related_name="resources",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
    )
    profile = models.ForeignKey(
        Profile,
        verbose_name=_("competentieprofiel"),
        related_name="resources",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
    )
    title = models.CharField(_("titel"), max_length=200)
    description = models.TextField(_("beschrijving"), blank=True)
    file = models.FileField(_("bestand"), upload_to="resources/%Y/", blank=True)
    url = URLField(_("link"), blank=True)
    position = models.PositiveSmallIntegerField(_("volgorde"), default=0)

    class Meta:
        verbose_name = _("materiaal")
        verbose_name_plural = _("materialen")
        ordering = ["position", "title"]
        constraints = [
            models.CheckConstraint(
                condition=Q(file="") | Q(url=""), name="resource_file_or_link_not_both"
            ),
            models.CheckConstraint(
                condition=Q(course__isnull=False) | Q(profile__isnull=False),
                name="resource_belongs_somewhere",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def href(self) -> str:
        if self.file:
            return self.file.url
        return self.url


class SearchWord(models.Model):
    """A word that occurs in the catalogue, for "bedoelde je …" suggestions."""

    word = models.CharField(max_length=100, unique=True)  # lower case, without accents
    display = models.CharField(max_length=100)  # as it is written

    class Meta:
        verbose_name = _("zoekwoord")
        verbose_name_plural = _("zoekwoorden")

    def __str__(self) -> str:
        return self.display
