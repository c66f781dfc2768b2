"""Page skeletons for the home and course pages, with holes for what changes per request.

A skeleton is the page rendered once, with markers where it shows places: each session's
state (places left, full, open or closed, the minimum still missing) and, on a course page,
the "keep me posted" invitation (shown only while no session is open) and the schema.org data
(remaining capacity). It is kept in this process's memory under everything else it shows:

- the URL (scheme, host, path and query: the page repeats them in its links), the language;
- the catalogue version (catalogue/http/cache.py: CATALOGUE, bumped by every write to what
  is offered), read before anything the skeleton is rendered from;
- the sessions it lists and their status, from the same query that gives their places: a
  session that starts drops out, one whose deadline passes closes;
- the day, for what reads today's date (expected from, guaranteed until).

The holes are filled from that one query on every request, so a cached skeleton can never show
a wrong number of places, in one process or twenty, with or without Redis. Logged-in visitors
(staff may see unpublished courses and the admin link) get a skeleton built for them alone.
"""

from __future__ import annotations

import dataclasses
import datetime
import json
import re
import secrets
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass

from django.core.cache import cache
from django.db import connection
from django.utils import timezone, translation
from django.utils.safestring import SafeString, mark_safe

from catalogue.http import counters
from catalogue.http.cache import CATALOGUE
from catalogue.models import Counter
from catalogue.public import session_lines
from enrolments.models import Enrolment
from trainings.models import Course, Session

# Characters of skeleton HTML kept per process (a course page is some 20 000 of them, 1 or 2
# bytes each): the most recently asked pages, some 500 of them.
SKELETON_BUDGET = 10_000_000

SCHEDULED, CONFIRMED, CANCELLED = (
    Session.Status.SCHEDULED.value,
    Session.Status.CONFIRMED.value,
    Session.Status.CANCELLED.value,
)


class _Store:
    """A least-recently-used dict bounded by the total size of its values."""

    def __init__(self, budget: int, size=len):
        self.budget, self.size = budget, size
        self.used = 0
        self.items: OrderedDict = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key):
        with self.lock:
            value = self.items.get(key)
            if value is not None:
                self.items.move_to_end(key)
            return value

    def set(self, key, value) -> None:
        with self.lock:
            old = self.items.pop(key, None)
            if old is not None:
                self.used -= self.size(old)
            self.items[key] = value
            self.used += self.size(value)
            while self.used > self.budget and self.items:
                _key, dropped = self.items.popitem(last=False)
                self.used -= self.size(dropped)

    def clear(self) -> None:
        with self.lock:
            self.items.clear()
            self.used = 0


skeletons = _Store(SKELETON_BUDGET, size=lambda skeleton: skeleton.size)


# -- What changes per request: one query ------------------------------------------------------


@dataclass(frozen=True)
class Live:
    """A session as its state hole shows it, read on every request."""

    pk: int
    status: str
    capacity: int
    min_participants: int
    starts_at: datetime.datetime | None
    registration_deadline: datetime.datetime | None
    registered_count: int

    def is_open(self, now: datetime.datetime) -> bool:
        closes_at = self.registration_deadline or self.starts_at
        return (
            self.status != CANCELLED
            and self.starts_at is not None
            and self.starts_at > now
            and closes_at > now
        )


def _aware(value):
    """A datetime from a raw query: SQLite gives naive UTC (or text), PostgreSQL aware."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.datetime.fromisoformat(value)
    if timezone.is_naive(value):
        value = value.replace(tzinfo=datetime.UTC)
    return value


def _tables() -> dict[str, str]:
    quote = connection.ops.quote_name
    return {
        "registered": Enrolment.Status.REGISTERED.value,
        "cancelled": CANCELLED,
        "course": quote(Course._meta.db_table),
        "session": quote(Session._meta.db_table),
        "enrolment": quote(Enrolment._meta.db_table),
        "counter": quote(Counter._meta.db_table),
    }


def _version_sql() -> tuple[str, list]:
    """The database's catalogue version as a scalar subquery (without Redis), else a constant:
    read in the same statement as the places, so they belong to one moment."""
    if counters.in_database():
        quote = connection.ops.quote_name
        key, value, expires = quote("key"), quote("value"), quote("expires")
        sql = (
            f"(SELECT {value} FROM {_tables()['counter']} WHERE {key} = %s "
            f"AND ({expires} IS NULL OR {expires} > %s))"
        )
        return sql, [CATALOGUE, int(time.time())]
    return "NULL", []


def local_version():
    """This process's (or, with Redis, the shared) catalogue version: bumped at once by a
    write, before its transaction commits; the database's follows the commit."""
    value = cache.get(CATALOGUE)
    if value is None:
        cache.add(CATALOGUE, time.time_ns(), timeout=None)
        value = cache.get(CATALOGUE)
    return value


_SESSION_COLUMNS = (
    "s.id, s.status, s.capacity, s.min_participants, s.starts_at, s.registration_deadline, "
    "(SELECT COUNT(*) FROM {enrolment} e WHERE e.session_id = s.id AND e.status = '{registered}')"
)


def _live(row) -> Live:
    pk, status, capacity, minimum, starts_at, deadline, registered = row
    return Live(pk, status, capacity, minimum, _aware(starts_at), _aware(deadline), registered)


def course_live(slug: str, now: datetime.datetime):
    """(version, course id, is_published, [Live upcoming sessions]) for the course page, or
    None when no course has this slug."""
    tables = _tables()
    version_sql, version_params = _version_sql()
    columns = _SESSION_COLUMNS.format(**tables)
    sql = (
        f"SELECT {version_sql}, c.id, c.is_published, {columns} "
        f"FROM {tables['course']} c LEFT JOIN {tables['session']} s "
        "ON s.course_id = c.id AND s.starts_at > %s "
        "WHERE c.slug = %s ORDER BY s.starts_at, s.id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*version_params, connection.ops.adapt_datetimefield_value(now), slug])
        rows = cursor.fetchall()
    if not rows:
        return None
    version, course_id, published = rows[0][:3]
    sessions = [_live(row[3:]) for row in rows if row[3] is not None]
    return version, course_id, bool(published), sessions


def home_live(now: datetime.datetime, limit: int):
    """(version, [Live sessions]): the first `limit` sessions open for registration in
    published courses, as Session.objects.public().open_for_registration() orders them."""
    tables = _tables()
    version_sql, version_params = _version_sql()
    columns = _SESSION_COLUMNS.format(**tables)
    moment = connection.ops.adapt_datetimefield_value(now)
    sql = (
        f"SELECT {version_sql}, {columns} "
        f"FROM {tables['session']} s INNER JOIN {tables['course']} c ON c.id = s.course_id "
        f"WHERE c.is_published AND s.starts_at > %s AND s.status <> '{tables['cancelled']}' "
        "AND COALESCE(s.registration_deadline, s.starts_at) > %s "
        "ORDER BY s.starts_at, s.id LIMIT %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*version_params, moment, moment, limit])
        rows = cursor.fetchall()
        if rows:
            return rows[0][0], [_live(row[1:]) for row in rows]
        if not version_params:
            return None, []
        cursor.execute(f"SELECT {version_sql}", version_params)
        return cursor.fetchone()[0], []


# -- Session states -----------------------------------------------------------------------------


@dataclass(frozen=True)
class SessionState:
    """What a session's state hole shows: fixed facts (from the skeleton) and live numbers."""

    pk: int
    first_date: datetime.date | None
    is_online: bool
    city: str
    status: str
    capacity: int
    min_participants: int
    registered_count: int
    is_open_for_registration: bool

    @property
    def is_cancelled(self) -> bool:
        return self.status == CANCELLED

    @property
    def is_confirmed(self) -> bool:
        return self.status == CONFIRMED

    @property
    def is_scheduled(self) -> bool:
        return self.status == SCHEDULED

    @property
    def is_full(self) -> bool:
        return self.registered_count >= self.capacity

    @property
    def places_left(self) -> int:
        return max(self.capacity - self.registered_count, 0)

    @property
    def needs_more_registrations(self) -> int:
        if not self.is_scheduled:
            return 0
        return max(self.min_participants - self.registered_count, 0)


def session_state(session, show_actions: bool) -> SessionState:
    """The state of a session loaded with its days, location and registered_count."""
    days = session.days.all()
    return SessionState(
        pk=session.pk,
        first_date=days[0].date if days else None,
        is_online=session.location.is_online,
        city=session.location.city,
        status=session.status,
        capacity=session.capacity,
        min_participants=session.min_participants,
        registered_count=session.registered_count,
        is_open_for_registration=session.is_open_for_registration,
    )


# -- Skeletons ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class StateHole:
    state: SessionState  # its fixed facts; the live ones are replaced on every request
    show_actions: bool

    def fill(self, live: dict[int, Live], now: datetime.datetime) -> str:
        session = live[self.state.pk]
        state = dataclasses.replace(
            self.state,
            status=session.status,
            capacity=session.capacity,
            min_participants=session.min_participants,
            registered_count=session.registered_count,
            is_open_for_registration=session.is_open(now),
        )
        return session_lines.render_state(state, self.show_actions)


@dataclass(frozen=True)
class UnlessOpenHole:
    """Markup shown only while none of the page's sessions is open for registration."""

    html: str

    def fill(self, live: dict[int, Live], now: datetime.datetime) -> str:
        return "" if any(session.is_open(now) for session in live.values()) else self.html


@dataclass(frozen=True)
class JsonLdHole:
    """The page's schema.org data: remaining places per session instance."""

    data: dict
    capacity_of: tuple[tuple[int, int], ...]  # (index in hasCourseInstance, session id)

    def fill(self, live: dict[int, Live], now: datetime.datetime) -> str:
        data = self.data
        if self.capacity_of:
            instances = [dict(instance) for instance in data["hasCourseInstance"]]
            for index, pk in self.capacity_of:
                session = live[pk]
                instances[index]["remainingAttendeeCapacity"] = max(
                    session.capacity - session.registered_count, 0
                )
            data = {**data, "hasCourseInstance": instances}
        return json_ld(data)


_JSON_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


def json_ld(data) -> SafeString:
    """A JSON-LD block, escaped so that no text can close the script element."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":")).translate(_JSON_ESCAPES)
    return mark_safe(f'<script type="application/ld+json">{text}</script>')


class Holes:
    """Collects the holes while a skeleton renders (the template tags call `add`)."""

    def __init__(self):
        self.token = secrets.token_hex(8)
        self.holes: list = []

    def add(self, hole) -> SafeString:
        self.holes.append(hole)
        return mark_safe(f"<!--hole-{self.token}-{len(self.holes) - 1}-->")

    def skeleton(self, html: str) -> Skeleton:
        pieces = re.split(f"<!--hole-{self.token}-(\\d+)-->", html)
        parts = pieces[0::2]
        holes = [self.holes[int(index)] for index in pieces[1::2]]
        return Skeleton(tuple(parts), tuple(holes))


@dataclass(frozen=True)
class Skeleton:
    parts: tuple[str, ...]  # one more than holes
    holes: tuple

    @property
    def size(self) -> int:
        return sum(map(len, self.parts)) + 1000 * len(self.holes)

    def fill(self, live: list[Live], now: datetime.datetime) -> str:
        by_pk = {session.pk: session for session in live}
        out = [self.parts[0]]
        for hole, part in zip(self.holes, self.parts[1:], strict=True):
            out.append(hole.fill(by_pk, now))
            out.append(part)
        return "".join(out)


def skeleton_key(request, name: str, versions: tuple, live: list[Live], *extra) -> tuple:
    """Everything a skeleton shows besides its holes; `versions` are the local and the shared
    catalogue version, the local one read before the query that gave the shared one."""
    return (
        name,
        request.scheme,
        request.get_host(),
        request.get_full_path(),
        translation.get_language(),
        versions,
        tuple((session.pk, session.status) for session in live),
        *extra,
    )
