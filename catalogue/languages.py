"""Addresses per language: Dutch unprefixed (/trainingen/), French /fr/…, English /en/…."""

from django.conf import settings
from django.urls import translate_url
from django.utils import translation


def path_language(path: str) -> str:
    """The language a path is in: its prefix, else Dutch."""
    return translation.get_language_from_path(path) or settings.LANGUAGE_CODE


def url_in_language(url: str, language: str) -> str:
    """The same page in another language (its query kept), or `url` itself when the page
    does not exist per language (the admin, robots.txt, an unknown address)."""
    # A path resolves only under its own language (i18n_patterns matches the active prefix).
    with translation.override(path_language(url.split("?", 1)[0])):
        return translate_url(url, language)
