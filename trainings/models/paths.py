"""Routes through the offer: competency profiles, learning paths and their steps, and the
resources to download or open with a course or profile."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from trainings.fields import URLField
from trainings.localised import LocalisedOrder
from trainings.models.courses import Course
from trainings.models.taxonomy import Lifecycle
from trainings.reversing import reverse_one


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
        ordering = [LocalisedOrder("name"), "pk"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse_one("catalogue:profile-detail", self.slug)


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
        ordering = [LocalisedOrder("title"), "pk"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse_one("catalogue:path-detail", self.slug)

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
