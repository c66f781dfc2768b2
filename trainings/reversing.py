"""reverse() for the addresses pages build many of, worked out once per URL name, language,
script prefix and URL configuration, then filled in with the argument.

Django's reverse() takes about 50 µs a call here (language prefix, namespaces, checking the
argument against the pattern). A catalogue page drawing its cards calls it for every card, a
course page three times for every session it lists. reverse_one() gives the same address for
a URL with no argument or with one int or slug argument (a test compares both for every name
the pages use); any other argument goes to reverse() itself.
"""

from __future__ import annotations

import functools
import re

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse
from django.utils.translation import get_language

# Stand-ins for the argument: reverse() accepts them wherever it accepts an int or a slug.
INT_MARK = 987654321
SLUG_MARK = "reverse-one-mark"
SLUG = re.compile(r"[-a-zA-Z0-9_]+")


@functools.lru_cache(maxsize=256)
def _parts(name: str, mark, language, prefix: str, urlconf) -> tuple[str, str] | None:
    """The address of `name` around its argument, or None when the mark does not appear in
    it exactly once or the URL takes no such argument (reverse() then answers for it)."""
    if mark is None:
        return reverse(name, urlconf=urlconf), ""
    try:
        url = reverse(name, args=[mark], urlconf=urlconf)
    except NoReverseMatch:
        return None
    before, found, after = url.partition(str(mark))
    if not found or str(mark) in after:
        return None
    return before, after


def reverse_one(name: str, value: int | str | None = None) -> str:
    """reverse(name) or reverse(name, args=[value]), for an int or a slug argument."""
    if value is None:
        mark = None
    elif isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        mark = INT_MARK
    elif isinstance(value, str) and SLUG.fullmatch(value):
        mark = SLUG_MARK
    else:
        return reverse(name, args=[value])
    urlconf = get_urlconf() or settings.ROOT_URLCONF
    parts = _parts(name, mark, get_language(), get_script_prefix(), urlconf)
    if parts is None:
        return reverse(name, args=[value])
    before, after = parts
    return before if value is None else f"{before}{value}{after}"


@receiver(setting_changed)
def _settings_changed(setting, **kwargs):
    """As Django forgets its own URL caches when a test changes what addresses depend on."""
    if setting in {"ROOT_URLCONF", "LANGUAGE_CODE", "LANGUAGES", "FORCE_SCRIPT_NAME"}:
        _parts.cache_clear()
