"""Who comes: enrolments in sessions. Places are only taken or freed in services.py."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from trainings.models import Session


def organisation_key(name: str) -> str:
    """Key to compare organisation names case- and space-insensitively."""
    return " ".join(name.split()).casefold()


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
    created_at = models.DateTimeField(_("ingeschreven op"), default=timezone.now)
    updated_at = models.DateTimeField(_("gewijzigd op"), auto_now=True)
    privacy_accepted_at = models.DateTimeField(_("privacyverklaring gelezen op"), null=True)
    promoted_at = models.DateTimeField(_("van wachtlijst geplaatst op"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("geannuleerd op"), null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("geannuleerd door"),
        related_name="+",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )
    cancellation_reason = models.TextField(_("reden van annulering"), blank=True)
    # Identity for the self-service link; the link itself is signed (see selfservice.py).
    secret = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)

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
