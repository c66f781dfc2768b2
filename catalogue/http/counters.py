"""Counters that hold across server processes: in Redis when REDIS_URL is set, else in the
database (catalogue.Counter).

A memory cache is per process: with `make serve` (a worker per core) and no Redis, a limit of
30 kept in it lets 30 through per worker. The database is shared by all of them, and one
`INSERT … ON CONFLICT DO UPDATE … RETURNING` (SQLite ≥ 3.35, PostgreSQL) adds and reads in a
single atomic statement, without a lock held across statements.
"""

from __future__ import annotations

import random
import time

from django.conf import settings
from django.core.cache import DEFAULT_CACHE_ALIAS, cache, caches
from django.core.cache.backends.redis import RedisCache
from django.db import connection

SECOND_NS = 1_000_000_000


def in_database() -> bool:
    """Whether shared counters live in the database (no shared cache configured)."""
    return settings.SHARED_COUNTERS == "database"


def _model():
    # Imported when used: admin_site imports this module while the apps are still loading.
    from catalogue.models import Counter

    return Counter


def _table() -> tuple[str, str, str, str]:
    quote = connection.ops.quote_name
    return (
        quote(_model()._meta.db_table),
        quote("key"),
        quote("value"),
        quote("expires"),
    )


def db_add(key: str, amount: int = 1, *, ttl: int | None = None, start: int = 0) -> int:
    """Add `amount` to a database counter and return the new value, atomically.

    A new counter starts at `start + amount`. With `ttl`, a counter whose `ttl` seconds have
    run out starts again (a fixed window from the first count); without, it is kept."""
    now = int(time.time())
    table, k, v, e = _table()
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({k}, {v}, {e}) VALUES (%s, %s, %s) "
            f"ON CONFLICT ({k}) DO UPDATE SET "
            f"{v} = CASE WHEN {table}.{e} <= %s THEN excluded.{v} ELSE {table}.{v} + %s END, "
            f"{e} = CASE WHEN {table}.{e} <= %s THEN excluded.{e} ELSE {table}.{e} END "
            f"RETURNING {v}",
            [key, start + amount, now + ttl if ttl else None, now, amount, now],
        )
        (value,) = cursor.fetchone()
        # Expired rows go with about one write in COUNTER_PURGE_EVERY (0: never), so the table
        # stays small without a scheduled job and without a DELETE on every request.
        every = settings.COUNTER_PURGE_EVERY
        if ttl and every and random.randrange(every) == 0:
            cursor.execute(f"DELETE FROM {table} WHERE {e} <= %s", [now])
    return value


def db_stamp(key: str) -> int:
    """Move a kept database counter to the time now (ns), and at least a second past its last
    value; return it. The counter is then a version that changes on every call and also the
    moment of the last change, whose whole seconds differ between any two changes (so an
    HTTP Last-Modified taken from it moves on with every change)."""
    now = time.time_ns()
    table, k, v, e = _table()
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({k}, {v}, {e}) VALUES (%s, %s, NULL) "
            f"ON CONFLICT ({k}) DO UPDATE SET "
            f"{v} = CASE WHEN {table}.{v} + %s > excluded.{v} THEN {table}.{v} + %s "
            f"ELSE excluded.{v} END "
            f"RETURNING {v}",
            [key, now, SECOND_NS, SECOND_NS],
        )
        (value,) = cursor.fetchone()
    return value


def db_values(keys: list[str]) -> dict[str, int]:
    """The current values of these database counters (expired and missing ones left out)."""
    if not keys:
        return {}
    # Plain SQL: every cached page runs this, and the ORM would cost more than the query.
    table, k, v, e = _table()
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {k}, {v} FROM {table} WHERE {k} IN ({', '.join(['%s'] * len(keys))}) "
            f"AND ({e} IS NULL OR {e} > %s)",
            [*keys, int(time.time())],
        )
        return dict(cursor.fetchall())


def db_value_sql(key: str) -> tuple[str, list]:
    """db_values() of one key as a scalar subquery (NULL when missing or expired), for a
    caller that reads it in the same statement as something else."""
    table, k, v, e = _table()
    return (
        f"SELECT {v} FROM {table} WHERE {k} = %s AND ({e} IS NULL OR {e} > %s)",
        [key, int(time.time())],
    )


def redis_add(keys, *, start: int, amount: int = 1, ttl: int | None = None) -> list[int] | None:
    """With Django's Redis cache: each key set to `start` if it is not there (expiring after
    `ttl` seconds, if given), then `amount` added, all in one round trip; the new values.
    MULTI/EXEC, so no key expires or is evicted between the two. None with another cache.
    (Django's Redis cache stores ints as plain integers, so INCRBY works on its values.)"""
    backend = caches[DEFAULT_CACHE_ALIAS]
    if not isinstance(backend, RedisCache):
        return None
    with backend._cache.get_client(write=True).pipeline(transaction=True) as pipe:
        for key in keys:
            made = cache.make_and_validate_key(key)
            pipe.set(made, start, ex=ttl, nx=True)
            pipe.incrby(made, amount)
        return pipe.execute()[1::2]


def add(key: str, amount: int, *, ttl: int) -> int:
    """Count `amount` in a window of `ttl` seconds from the first count; the new total."""
    if in_database():
        return db_add(key, amount, ttl=ttl)
    # With Redis one round trip: the window starts if there is none, then the count is added.
    totals = redis_add([key], start=0, amount=amount, ttl=ttl)
    if totals is not None:
        return totals[0]
    cache.add(key, 0, timeout=ttl)
    try:
        return cache.incr(key, amount)
    except ValueError:  # expired between add and incr
        cache.add(key, amount, timeout=ttl)
        return amount


def get(key: str) -> int:
    """The current total of a counter kept with `add` (0 once its window has passed)."""
    if in_database():
        return db_values([key]).get(key, 0)
    return cache.get(key) or 0


def reset(key: str) -> None:
    """Start a counter kept with `add` from zero."""
    if in_database():
        _model().objects.filter(key=key).delete()
    else:
        cache.delete(key)
