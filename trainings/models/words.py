"""The words of the catalogue, for search suggestions."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class SearchWord(models.Model):
    """A word that occurs in the catalogue's text in one language, for "bedoelde je …"
    suggestions in that language."""

    language = models.CharField(max_length=10, default="nl")  # a code of settings.LANGUAGES
    word = models.CharField(max_length=100)  # lower case, without accents
    display = models.CharField(max_length=100)  # as it is written

    class Meta:
        verbose_name = _("zoekwoord")
        verbose_name_plural = _("zoekwoorden")
        constraints = [
            models.UniqueConstraint(fields=["language", "word"], name="searchword_language_word")
        ]

    def __str__(self) -> str:
        return self.display
