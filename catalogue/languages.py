"""Addresses per language: Dutch unprefixed (/trainingen/), French /fr/…, English /en/…."""

from functools import lru_cache

from django.conf import settings
from django.urls import get_urlconf, translate_url
from django.utils import translation


def path_language(path: str) -> str:
    """The language a path is in: its prefix, else Dutch."""
    return translation.get_language_from_path(path) or settings.LANGUAGE_CODE


def url_in_language(url: str, language: str) -> str:
    """The same page in another language (its query kept), or `url` itself when the page
    does not exist per language (the admin, robots.txt, an unknown address)."""
    path, mark, query = url.partition("?")
    urlconf = (settings.ROOT_URLCONF, get_urlconf())
    return _path_in_language(path, language, urlconf) + mark + query


@lru_cache(maxsize=8192)
def _path_in_language(path: str, language: str, urlconf: tuple) -> str:
    # A path resolves only under its own language (i18n_patterns matches the active prefix).
    # The answer depends on the path and the URL patterns alone, so it is kept: every page
    # asks it for each language (its hreflang links).
    with translation.override(path_language(path)):
        return translate_url(path, language)
