"""What courses are sorted and described by: countries, kinds of organisation, providers,
audiences, formats, themes, and the choices a course picks from."""

from django.core.validators import MaxValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from trainings.fields import URLField
from trainings.reversing import reverse_one


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
        return f"{reverse_one('catalogue:course-list')}?theme={self.slug}"


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
