"""Conditional GET for the feeds, calendars and sitemap (ETag and Last-Modified → 304).

Feed readers and calendar apps poll these every few minutes. Their content changes only when
the catalogue does (cache.CATALOGUE, bumped on every write to what is offered) or, for lists
of upcoming sessions, when a session starts and drops out. Both are cheap to ask: the shared
version is one row in the database (or one key in Redis), the next and last start one
aggregate over the sessions. The view itself runs only when one of them moved.

The validators are weak (W/"…"): a calendar's DTSTAMP differs between two renderings that
mean the same, and GZipMiddleware may compress the answer.
"""

from __future__ import annotations

import datetime
import hashlib
from dataclasses import dataclass
from functools import wraps

from django.db.models import Max, Min, Q
from django.http import HttpRequest
from django.utils import timezone, translation
from django.utils.http import http_date
from django.views.decorators.http import condition

from catalogue.http import cache
from trainings.models import Session


@dataclass(frozen=True)
class Freshness:
    etag: str
    last_modified: datetime.datetime | None


def catalogue_freshness(request: HttpRequest, *, upcoming: bool) -> Freshness:
    """Validators for a page that shows the catalogue (and, with `upcoming`, sessions that
    have not started yet). Worked out once per request."""
    remembered = getattr(request, "_catalogue_freshness", None)
    if remembered is not None:
        return remembered
    version, changed_at = cache.shared_version(cache.CATALOGUE)
    parts = [translation.get_language() or "", str(version)]
    last_modified = changed_at
    if upcoming:
        now = timezone.now()
        bounds = Session.objects.aggregate(
            next_start=Min("starts_at", filter=Q(starts_at__gt=now)),
            last_start=Max("starts_at", filter=Q(starts_at__lte=now)),
        )
        # The list changes by itself when the next session starts.
        parts.append(str(bounds["next_start"]))
        if changed_at is not None and bounds["last_start"] is not None:
            last_modified = max(changed_at, bounds["last_start"])
    digest = hashlib.sha256("|".join(parts).encode()).hexdigest()[:32]
    freshness = Freshness(etag=f'W/"{digest}"', last_modified=last_modified)
    request._catalogue_freshness = freshness
    return freshness


def conditional(*, upcoming: bool):
    """Answer 304 Not Modified to If-None-Match / If-Modified-Since when nothing changed.

    The Last-Modified sent is the one compared: Django's Atom feed sets its own (the newest
    entry's), which a removed entry does not move, so it is replaced."""

    def freshness(request, *args, **kwargs) -> Freshness:
        return catalogue_freshness(request, upcoming=upcoming)

    def decorator(view):
        checked = condition(
            etag_func=lambda *a, **k: freshness(*a, **k).etag,
            last_modified_func=lambda *a, **k: freshness(*a, **k).last_modified,
        )(view)

        @wraps(view)
        def wrapper(request, *args, **kwargs):
            response = checked(request, *args, **kwargs)
            last_modified = freshness(request).last_modified
            if response.status_code == 200 and last_modified is not None:
                response.headers["Last-Modified"] = http_date(last_modified.timestamp())
            return response

        return wrapper

    return decorator
