"""What the project package itself stores: numbers shared by all server processes."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Counter(models.Model):
    """A number every server process sees: page versions, rate-limit and login-failure counts.

    Without Redis each process has its own memory cache, so these live in the database
    (catalogue/http/counters.py changes them with one atomic statement)."""

    key = models.CharField(_("sleutel"), max_length=255, primary_key=True)
    value = models.BigIntegerField(_("waarde"), default=0)
    # Unix time in seconds, so that one SQL statement compares it the same way on SQLite and
    # PostgreSQL; empty for counters that are kept (page versions).
    expires = models.BigIntegerField(_("verloopt"), null=True, blank=True, db_index=True)

    class Meta:
        verbose_name = _("gedeelde teller")
        verbose_name_plural = _("gedeelde tellers")

    def __str__(self) -> str:
        return f"{self.key} = {self.value}"
