"""The words of the catalogue, for search suggestions."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class SearchWord(models.Model):
    """A word that occurs in the catalogue, for "bedoelde je …" suggestions."""

    word = models.CharField(max_length=100, unique=True)  # lower case, without accents
    display = models.CharField(max_length=100)  # as it is written

    class Meta:
        verbose_name = _("zoekwoord")
        verbose_name_plural = _("zoekwoorden")

    def __str__(self) -> str:
        return self.display
