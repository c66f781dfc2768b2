"""Whole-page caching of the public reading pages, for anonymous visitors: opt-in
(DJANGO_CACHE_PAGES=1, settings.CACHE_PAGES), off by default. Nothing depends on it being on:
the pages are rendered fast enough without it and answer conditional GETs with 304
(catalogue/http/conditional.py). This module also holds the data versions both use.

A cached page is stored under the versions of the data it shows. A version is a counter in
the cache, bumped when that data changes, so a change makes every page that shows it stale
at once:

- CATALOGUE: anything about what is offered (courses, sessions, prices, providers, …),
  bumped by model signals (registered in CatalogueConfig.ready) and by bulk writes;
- PLACES and course:<slug>: enrolments, bumped through the trainings.signals.places_changed
  signal the enrolment services send whenever a place is taken or freed (the course page and
  the home page show places left).

Pages also expire after PAGE_CACHE_SECONDS, for what changes with time alone (a registration
deadline passing). Counters are bumped at once and again after commit, so a page rendered
from data that was about to change is not kept.

Every server process must see every bump. With REDIS_URL the counters live in the shared
cache. Without it each process has its own memory cache, so the counters are (also) kept in
the database (catalogue.Counter): each cached page costs one small query for its versions,
and a change committed by one process makes every process's copy stale on its next request.
The database counters are bumped right after the commit (not inside the transaction: a row
every enrolment updates would serialise all of them on PostgreSQL), before the request that
made the change answers.
"""

from __future__ import annotations

import datetime
import hashlib
import time
from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpRequest, HttpResponse

from catalogue.http import counters

CATALOGUE = "pages:version:catalogue"
PLACES = "pages:version:places"


def course_version_key(slug: str) -> str:
    return f"pages:version:course:{slug}"


def _bump_now(*keys: str) -> None:
    # With Redis one round trip for all keys (an enrolment bumps two, now and after its
    # commit); a key not there yet, or evicted, starts from the time: any new value
    # invalidates.
    if counters.redis_add(keys, start=time.time_ns()) is not None:
        return
    for key in keys:
        try:
            cache.incr(key)
        except ValueError:  # not there yet, or evicted: any new value invalidates
            cache.set(key, time.time_ns(), timeout=None)


def _bump_shared(keys: tuple[str, ...]) -> None:
    """Once committed: bump the cache counters again and, without Redis, the database's."""
    _bump_now(*keys)
    if counters.in_database():
        # A transaction may bump the same keys many times (a group of 16, a bulk import);
        # the first callback after the commit writes each key once, the others find the
        # set empty. Keys left by a rolled-back transaction only cost one extra bump.
        pending = _pending()
        for key in sorted(pending):
            counters.db_stamp(key)  # a version, and the time of the change (shared_version)
        pending.clear()


def _pending() -> set[str]:
    connection = transaction.get_connection()
    if not hasattr(connection, "page_versions_pending"):
        connection.page_versions_pending = set()
    return connection.page_versions_pending


def bump(*keys: str) -> None:
    """Invalidate the pages that show this data, now and once the transaction commits."""
    _bump_now(*keys)
    if counters.in_database():
        _pending().update(keys)
    transaction.on_commit(lambda: _bump_shared(keys))


def catalogue_changed(**kwargs) -> None:
    """Signal receiver: something that is offered changed."""
    bump(CATALOGUE)


def places_changed(course_slug: str, **kwargs) -> None:
    """Signal receiver (trainings.signals.places_changed): a place in a session of this
    course was taken or freed."""
    bump(PLACES, course_version_key(course_slug))


def _versions(keys: list[str], *, database: bool = True) -> list:
    found = cache.get_many(keys)
    missing = {key: time.time_ns() for key in keys if key not in found}
    for key, value in missing.items():
        cache.add(key, value, timeout=None)
    if missing:
        found.update(cache.get_many(list(missing)))
    versions = [found.get(key) for key in keys]
    if database and counters.in_database():
        shared = counters.db_values(keys)
        versions += [shared.get(key, 0) for key in keys]
    return versions


def local_versions(keys: list[str]) -> list:
    """The versions of these keys in this process's cache (or Redis), without the database's."""
    return _versions(keys, database=False)


def current_versions(keys: list[str]) -> list:
    """The versions of these keys as this process sees them: its own cache's (moved at once
    by a change made here) and, without Redis, the database's (moved by every process)."""
    return _versions(keys)


def stamped(value: int | None) -> tuple[int, datetime.datetime | None]:
    """A database version (counters.db_stamp: ns since 1970; 0 or None = unchanged since
    install) and the time of that change, in whole seconds."""
    if not value:
        return 0, None
    return value, datetime.datetime.fromtimestamp(value // counters.SECOND_NS, tz=datetime.UTC)


def shared_versions(keys: list[str]) -> list[tuple[int, datetime.datetime | None]]:
    """The versions of this data that every server process agrees on, and when each last
    changed (known only where the versions live in the database), in one read.

    Unlike the page cache's own keys this never reads a process's memory cache: an HTTP ETag
    made from it must be the same whichever worker answers the next request.
    """
    if counters.in_database():
        found = counters.db_values(keys)
        return [stamped(found.get(key)) for key in keys]
    return [(version, None) for version in _versions(keys)]  # the shared (Redis) cache


def shared_version(key: str) -> tuple[int, datetime.datetime | None]:
    """shared_versions() of one key."""
    return shared_versions([key])[0]


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
            # conditional_page's validators, worked out just before from the shared versions
            # (so they need not be read again), the next session start or deadline and the
            # date: a copy is kept per ETag it is sent with, and the clock never leaves a
            # stale copy behind a new ETag.
            freshness = getattr(request, "page_freshness", None)
            if freshness is not None and not set(keys) <= set(freshness.keys):
                freshness = None
            signature = "|".join(
                [
                    request.path,
                    request.META.get("QUERY_STRING", ""),
                    getattr(request, "LANGUAGE_CODE", settings.LANGUAGE_CODE),
                    *map(str, _versions(keys, database=freshness is None)),
                    freshness.etag if freshness else "",
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
