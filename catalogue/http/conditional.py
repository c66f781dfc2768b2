"""Conditional GET (ETag and Last-Modified → 304 Not Modified) for the public reading pages,
the feeds, the calendars and the sitemap.

A page's validators are made from what it shows, never from the page itself, so a request
whose validator still matches is answered before the view runs:

- the shared versions of its data (cache.shared_versions: a row per key in the database, or
  a key in Redis, the same whichever worker answers): cache.CATALOGUE for everything that is
  offered, bumped on every write to it; PLACES and course:<slug> where places left are shown;
- what changes by the clock alone (`Clock`): a session starting, or its registration closing,
  takes it off a list or closes its enrolment button. The next such moment is part of the
  ETag, so the ETag moves on once it has passed; the last one that passed is part of
  Last-Modified. Pages also carry the date (a course "expected from" a day that came);
- the language.

All of it is one small query (the versions and the next and last moments as scalar
subqueries, each an index lookup; with Redis the versions come from there) and no rendering.

The validators are weak (W/"…"): a calendar's DTSTAMP differs between two renderings that
mean the same, and GZipMiddleware may compress the answer.

Public pages (`conditional_page`) get validators only for visitors who are not logged in
(staff see unpublished courses and the admin link) and only when the answer holds nothing of
the visitor's own: an answer that sets a cookie or carries a CSRF token gets none and is
marked private. They are sent with `Cache-Control: no-cache`: a browser may keep the page but
asks every time, and gets a 304 of a few hundred bytes while nothing changed.
"""

from __future__ import annotations

import datetime
import enum
import functools
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps

from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.utils import timezone, translation
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from django.utils.dateparse import parse_datetime
from django.utils.http import http_date

from catalogue.http import cache, counters
from trainings.models import Session


class Clock(enum.Enum):
    """What makes a page change by the passing of time alone."""

    NONE = "none"
    # A session starting: lists of upcoming sessions (feeds, calendars).
    STARTS = "starts"
    # A session starting or its registration closing, in any course: the lists of open
    # sessions, the courses' next sessions, the "open" filter (home, catalogue, profile).
    REGISTRATION = "registration"
    # The same for the sessions of one course, the view's `slug` argument (course page).
    COURSE_REGISTRATION = "course-registration"


@dataclass(frozen=True)
class Freshness:
    etag: str
    last_modified: datetime.datetime | None
    keys: tuple[str, ...] = ()  # the versions the ETag is made of
    # Their values in the database's counters, as read for this request (None with Redis):
    # the page itself may use them instead of reading them again (database_version()).
    database_versions: dict[str, int] | None = None


def database_version(request: HttpRequest, key: str) -> int | None:
    """The database's version of `key` as this request's validators read it, or None when
    they did not (a logged-in visitor, a page without validators, versions in Redis)."""
    fresh = getattr(request, "page_freshness", None)
    if fresh is None or fresh.database_versions is None:
        return None
    return fresh.database_versions.get(key)


def _aware(value) -> datetime.datetime | None:
    """A datetime read with plain SQL: SQLite gives text in UTC, PostgreSQL a datetime."""
    if value is None:
        return None
    if isinstance(value, str):
        value = parse_datetime(value)
    if timezone.is_naive(value):
        value = timezone.make_aware(value, datetime.UTC)
    return value


@functools.cache
def clock_sql(vendor: str, clock: Clock) -> tuple[list[str], str, list[str]]:
    """The statement's columns for the clock, in pairs (the next moment after now, the last
    one before), its FROM clause, and what each %s of both stands for ("now", "slug" or a
    session status), in order. Plain SQL, built once per database: compiling six querysets
    on every request would cost more than running them.

    Over all sessions each column is the first row of an index (session_start_open,
    session_status_deadline: the ORDER BY … LIMIT 1 of one status), not an aggregate over
    every session, so a few index pages at any size of the catalogue. For one course, an
    aggregate over its few sessions (session_course_start)."""
    if clock is Clock.NONE:
        return [], "", []
    quote = connection.ops.quote_name
    meta = Session._meta
    table = quote(meta.db_table)
    start = quote(meta.get_field("starts_at").column)
    deadline = quote(meta.get_field("registration_deadline").column)
    status = quote(meta.get_field("status").column)
    if clock is Clock.COURSE_REGISTRATION:
        course = meta.get_field("course").related_model._meta
        columns = [
            f"MIN(CASE WHEN {start} > %s THEN {start} END)",
            f"MAX(CASE WHEN {start} <= %s THEN {start} END)",
            # Closing registration changes nothing on a cancelled session's line; a deadline
            # left empty means the start (above).
            f"MIN(CASE WHEN {status} <> %s AND {deadline} > %s THEN {deadline} END)",
            f"MAX(CASE WHEN {status} <> %s AND {deadline} <= %s THEN {deadline} END)",
        ]
        cancelled = Session.Status.CANCELLED.value
        roles = ["now", "now", cancelled, "now", cancelled, "now"]
        source = (
            f" FROM {table} WHERE {quote(meta.get_field('course').column)} = "
            f"(SELECT {quote(course.pk.column)} FROM {quote(course.db_table)} "
            f"WHERE {quote(course.get_field('slug').column)} = %s)"
        )
        return columns, source, [*roles, "slug"]

    def first(column: str, where: str, descending: bool) -> str:
        order = " DESC" if descending else ""
        return f"(SELECT {column} FROM {table} WHERE {where} ORDER BY {column}{order} LIMIT 1)"

    columns = [first(start, f"{start} > %s", False), first(start, f"{start} <= %s", True)]
    roles = ["now", "now"]
    if clock is Clock.REGISTRATION:
        for value in (Session.Status.SCHEDULED, Session.Status.CONFIRMED):
            columns += [
                first(deadline, f"{status} = %s AND {deadline} > %s", False),
                first(deadline, f"{status} = %s AND {deadline} <= %s", True),
            ]
            roles += [value.value, "now", value.value, "now"]
    return columns, "", roles


def read_validators(
    keys: list[str], clock: Clock, now: datetime.datetime, slug: str | None = None
) -> tuple[
    list[tuple[int, datetime.datetime | None]], datetime.datetime | None, datetime.datetime | None
]:
    """The shared versions of `keys` (with the time of their change where known) and the
    next and last moment of the clock, in one statement (none when Redis holds the versions
    and the page has no clock)."""
    columns, source, roles = clock_sql(connection.vendor, clock)
    values = {"now": connection.ops.adapt_datetimefield_value(now), "slug": slug}
    params = [values.get(role, role) for role in roles]
    in_database = counters.in_database()
    if in_database:
        counted = [counters.db_value_sql(key) for key in keys]
        columns = [f"({sql})" for sql, _params in counted] + columns
        params = [param for _sql, key_params in counted for param in key_params] + params
    row = []
    if columns:
        with connection.cursor() as cursor:
            cursor.execute("SELECT " + ", ".join(columns) + source, params)
            row = list(cursor.fetchone())
    if in_database:
        versions = [cache.stamped(value) for value in row[: len(keys)]]
        row = row[len(keys) :]
    else:
        versions = cache.shared_versions(keys)  # Redis
    row = [_aware(value) for value in row]
    upcoming = [value for value in row[0::2] if value is not None]
    passed = [value for value in row[1::2] if value is not None]
    return versions, min(upcoming, default=None), max(passed, default=None)


def freshness(
    request: HttpRequest,
    *,
    keys: list[str] | tuple[str, ...] = (),
    clock: Clock = Clock.NONE,
    slug: str | None = None,
    daily: bool = False,
) -> Freshness:
    """Validators for a page that shows the catalogue, the data of `keys` besides, and what
    `clock` changes; with `daily`, also what changes with the date. Worked out once per
    request, in one query."""
    remembered = getattr(request, "page_freshness", None)
    if remembered is not None:
        return remembered
    now = timezone.now()
    keys = (cache.CATALOGUE, *keys)
    versions, next_moment, last_moment = read_validators(list(keys), clock, now, slug)
    parts = [translation.get_language() or "", *(str(version) for version, _at in versions)]
    parts.append(str(next_moment))
    changes = [changed for _version, changed in versions if changed is not None]
    if last_moment is not None:
        changes.append(last_moment)
    if daily:
        today = timezone.localdate(now)
        parts.append(today.isoformat())
        changes.append(timezone.make_aware(datetime.datetime.combine(today, datetime.time.min)))
    # Last-Modified only where the versions carry the time of their change (the database
    # counters; Redis keeps plain numbers): a change must move it on.
    last_modified = max(changes) if versions[0][1] is not None else None
    if last_modified is not None and int(last_modified.timestamp()) >= int(now.timestamp()):
        # Changed within this very second: Last-Modified counts whole seconds, so a second
        # change of other data in the same second (an enrolment just after an edit) would
        # not move it. Only the ETag then; an answer a second later has both again.
        last_modified = None
    digest = hashlib.sha256("|".join(parts).encode()).hexdigest()[:32]
    in_database = None
    if counters.in_database():
        in_database = {key: version for key, (version, _at) in zip(keys, versions, strict=True)}
    result = Freshness(
        etag=f'W/"{digest}"', last_modified=last_modified, keys=keys, database_versions=in_database
    )
    request.page_freshness = result
    return result


def _answer(request: HttpRequest, view, args, kwargs, fresh: Freshness) -> HttpResponse:
    """304 if the visitor's copy is still right, else the view's answer with validators."""
    last_modified = int(fresh.last_modified.timestamp()) if fresh.last_modified else None
    response = get_conditional_response(request, etag=fresh.etag, last_modified=last_modified)
    if response is not None:  # 304 Not Modified (or 412 for an If-Match that fails)
        response.headers["ETag"] = fresh.etag
        if last_modified is not None:
            response.headers["Last-Modified"] = http_date(last_modified)
        # What the full answer varies on (RFC 9110 §15.4.5); the rest comes from middleware.
        patch_vary_headers(response, ["Accept-Encoding"])
        return response
    response = view(request, *args, **kwargs)
    if response.status_code == 200:
        response.headers["ETag"] = fresh.etag
        # Django's Atom feed sets its own (the newest entry's), which a removed entry does
        # not move: the one compared is the one sent.
        if last_modified is not None:
            response.headers["Last-Modified"] = http_date(last_modified)
        else:
            del response.headers["Last-Modified"]
    return response


def conditional(*, upcoming: bool):
    """Conditional GET for a feed, calendar or sitemap: it shows the catalogue and, with
    `upcoming`, sessions that have not started yet."""
    clock = Clock.STARTS if upcoming else Clock.NONE

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            fresh = freshness(request, clock=clock)
            return _answer(request, view, args, kwargs, fresh)

        return wrapper

    return decorator


def conditional_page(*depends_on: Callable[..., list[str]], clock: Clock = Clock.NONE) -> Callable:
    """Conditional GET for a public reading page, for visitors who are not logged in.

    Each `depends_on` callable gets the view's keyword arguments and returns the version
    keys the page shows besides CATALOGUE (as cache.cached_page, which it goes above)."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if request.user.is_authenticated:
                # Staff see unpublished courses and the admin link: never a shared copy.
                response = view(request, *args, **kwargs)
                patch_cache_control(response, private=True, no_cache=True)
                return response
            fresh = freshness(
                request,
                keys=[key for depend in depends_on for key in depend(**kwargs)],
                clock=clock,
                slug=kwargs.get("slug"),
                daily=True,
            )
            response = _answer(request, view, args, kwargs, fresh)
            if response.cookies or request.META.get("CSRF_COOKIE_NEEDS_UPDATE"):
                # Something of this visitor's own (a CSRF token, a cookie): not the page
                # the validators describe.
                del response.headers["ETag"]
                del response.headers["Last-Modified"]
                patch_cache_control(response, private=True)
            patch_cache_control(response, no_cache=True)
            return response

        return wrapper

    return decorator
