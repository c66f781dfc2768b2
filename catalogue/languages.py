"""Addresses per language: Dutch unprefixed (/trainingen/), French /fr/…, English /en/…."""

from functools import lru_cache

from django.conf import settings
from django.urls import NoReverseMatch, get_urlconf, reverse, translate_url
from django.utils import translation

from trainings.reversing import reverse_one


def path_language(path: str) -> str:
    """The language a path is in: its prefix, else Dutch."""
    return translation.get_language_from_path(path) or settings.LANGUAGE_CODE


def url_in_language(url: str, language: str) -> str:
    """The same page in another language (its query kept), or `url` itself when the page
    does not exist per language (the admin, robots.txt, an unknown address)."""
    path, mark, query = url.partition("?")
    urlconf = (settings.ROOT_URLCONF, get_urlconf())
    return _path_in_language(path, language, urlconf) + mark + query


def request_in_languages(request, url: str) -> dict[str, str]:
    """`url` (this request's path, maybe with another query) in each language of the site,
    as url_in_language gives it; without resolving the path again when it is the request's
    own: a course page shown for the first time resolved it three times."""
    path, mark, query = url.partition("?")
    match = getattr(request, "resolver_match", None)
    if match is None or not match.url_name or path != request.path:
        return {code: url_in_language(url, code) for code, _name in settings.LANGUAGES}
    values = [*match.args, *match.kwargs.values()]
    urls = {}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            try:
                if len(values) <= 1:  # most pages: none, or a slug or an id
                    urls[code] = reverse_one(match.view_name, *values)
                else:
                    urls[code] = reverse(match.view_name, args=match.args, kwargs=match.kwargs)
            except NoReverseMatch:
                urls[code] = path
    return {code: found + mark + query for code, found in urls.items()}


@lru_cache(maxsize=8192)
def _path_in_language(path: str, language: str, urlconf: tuple) -> str:
    # A path resolves only under its own language (i18n_patterns matches the active prefix).
    # The answer depends on the path and the URL patterns alone, so it is kept: every page
    # asks it for each language (its hreflang links).
    with translation.override(path_language(path)):
        return translate_url(path, language)
