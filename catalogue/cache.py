"""Whole-page caching of the public reading pages, for anonymous visitors.

A cached page is stored under the versions of the data it shows. A version is a counter in
the cache, bumped when that data changes, so a change makes every page that shows it stale
at once:

- CATALOGUE: anything about what is offered (courses, sessions, prices, providers, …),
  bumped by model signals (registered in CatalogueConfig.ready) and by bulk writes;
- PLACES and course:<slug>: enrolments, bumped by the enrolment services whenever a place is
  taken or freed (the course page and the home page show places left).

Pages also expire after PAGE_CACHE_SECONDS, for what changes with time alone (a registration
deadline passing). Counters are bumped at once and again after commit, so a page rendered
from data that was about to change is not kept. With several processes the counters must be
shared: configure REDIS_URL (without it each process invalidates only its own copy, and other
processes can show a page up to PAGE_CACHE_SECONDS old).
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpRequest, HttpResponse

CATALOGUE = "pages:version:catalogue"
PLACES = "pages:version:places"


def course_version_key(slug: str) -> str:
    return f"pages:version:course:{slug}"


def _bump_now(*keys: str) -> None:
    for key in keys:
        try:
            cache.incr(key)
        except ValueError:  # not there yet, or evicted: any new value invalidates
            cache.set(key, time.time_ns(), timeout=None)


def bump(*keys: str) -> None:
    """Invalidate the pages that show this data, now and once the transaction commits."""
    _bump_now(*keys)
    transaction.on_commit(lambda: _bump_now(*keys))


def catalogue_changed(**kwargs) -> None:
    """Signal receiver: something that is offered changed."""
    bump(CATALOGUE)


def places_changed(course_slug: str) -> None:
    """A place in a session of this course was taken or freed."""
    bump(PLACES, course_version_key(course_slug))


def _versions(keys: list[str]) -> list:
    found = cache.get_many(keys)
    missing = {key: time.time_ns() for key in keys if key not in found}
    for key, value in missing.items():
        cache.add(key, value, timeout=None)
    if missing:
        found.update(cache.get_many(list(missing)))
    return [found.get(key) for key in keys]


def cached_page(*depends_on: Callable[..., list[str]]):
    """Cache a view's 200 responses for anonymous GETs, per URL, language and data version.

    Each `depends_on` callable gets the view's keyword arguments and returns the version
    keys the page shows besides CATALOGUE.
    """

    def decorator(view):
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs):
            if (
                not settings.CACHE_PAGES
                or request.method not in ("GET", "HEAD")
                or request.user.is_authenticated
            ):
                return view(request, *args, **kwargs)
            keys = [CATALOGUE, *(key for depend in depends_on for key in depend(**kwargs))]
            signature = "|".join(
                [
                    request.path,
                    request.META.get("QUERY_STRING", ""),
                    getattr(request, "LANGUAGE_CODE", settings.LANGUAGE_CODE),
                    *map(str, _versions(keys)),
                ]
            )
            cache_key = "pages:page:" + hashlib.sha256(signature.encode()).hexdigest()
            stored = cache.get(cache_key)
            if stored is not None:
                content, content_type = stored
                return HttpResponse(content, content_type=content_type)
            response = view(request, *args, **kwargs)
            if response.status_code == 200 and not response.streaming and not response.cookies:
                cache.set(
                    cache_key,
                    (response.content, response["Content-Type"]),
                    settings.PAGE_CACHE_SECONDS,
                )
            return response

        return wrapper

    return decorator
