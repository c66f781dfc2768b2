from django.db import models


class URLField(models.URLField):
    """A URL field whose form assumes https:// when the scheme is left out (Django 6's default)."""

    def formfield(self, **kwargs):
        return super().formfield(**{"assume_scheme": "https", **kwargs})
