"""When and where a course runs: locations, sessions and their days."""

import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from trainings import terms
from trainings.fields import URLField
from trainings.models.courses import Course
from trainings.models.taxonomy import Country, Provider
from trainings.querysets import SessionQuerySet


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
            # In start order with what says whether a session is open (PostgreSQL keeps the
            # included columns in the index): the home page's first open sessions and the
            # catalogue's open sessions are read from the index alone, without visiting the
            # rows of the sessions whose registration already closed.
            models.Index(
                fields=["starts_at", "id"],
                name="session_start_open",
                include=[
                    "status",
                    "registration_deadline",
                    "course",
                    "capacity",
                    "min_participants",
                ],
            ),
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
