"""Where the task queue lives (settings.HUEY): built from TASK_QUEUE_URL or the database.

Huey does the queueing, retrying of tasks and scheduling; this only picks its storage:

- ``sqlite:///path``: a file (one machine; the default beside an SQLite database);
- ``redis://host:port/db``: Redis, shared by workers on several machines;
- ``postgres://…``: tables in PostgreSQL (the default beside a PostgreSQL database), shared
  by workers on several machines.

Nothing here connects: the queue is opened on first use, and makes its tables then if they
are missing, so `collectstatic` or a settings import never needs the queue's server.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from huey import Huey, MemoryHuey, RedisHuey
from huey.storage import SqliteStorage
from redis import ConnectionPool

NAME = "trainingscatalogus"


def _postgres_url(database: dict) -> str:
    password = f":{database['PASSWORD']}" if database.get("PASSWORD") else ""
    host = database.get("HOST") or "127.0.0.1"
    port = database.get("PORT") or 5432
    return f"psycopg3://{database.get('USER') or ''}{password}@{host}:{port}/{database['NAME']}"


def default_url(database: dict) -> str:
    """The queue beside the database: an SQLite file next to its file, or the same
    PostgreSQL database."""
    if database["ENGINE"].endswith("postgresql"):  # Django's backend or catalogue.db's
        return _postgres_url(database)
    name = str(database["NAME"])
    if name == ":memory:" or not name:
        return "memory://"
    path = Path(name)
    return f"sqlite:///{path.with_name(path.stem + '-tasks.sqlite3')}"


class LazySqliteStorage(SqliteStorage):
    """Huey's SQLite storage, making its tables with the first connection instead of when
    the settings are read."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, create_tables=False, **kwargs)

    def _create_connection(self):
        connection = super()._create_connection()
        for statement in self.ddl:  # all "if not exists"
            connection.execute(statement)
        return connection


def postgres_huey(url: str):
    """Huey on PostgreSQL tables (peewee with psycopg 3), made on first use."""
    from huey.contrib.sql_huey import SqlStorage
    from peewee import IntegrityError

    class LazySqlStorage(SqlStorage):
        ready = False

        def __init__(self, *args, **kwargs):
            super().__init__(*args, create_tables=False, **kwargs)

        def check_conn(self):  # huey calls it before every read or write
            super().check_conn()
            if not self.ready:
                try:
                    self.create_tables()  # CREATE TABLE IF NOT EXISTS
                except IntegrityError:
                    # Another process made them at the same moment (PostgreSQL then says
                    # "duplicate key … pg_type"): they exist now, which is all we need.
                    self.database.rollback()
                self.ready = True

    # A task lost in a crash costs nothing (the outbox sweep finds its mail), so the queue's
    # writes need not wait for the disk.
    separator = "&" if "?" in url else "?"
    url += f"{separator}options=-c%20synchronous_commit%3Doff"
    return Huey(NAME, storage_class=LazySqlStorage, database=url, utc=True)


def task_queue(url: str, database: dict, *, immediate: bool = False):
    """The Huey instance for TASK_QUEUE_URL (or the default beside `database`)."""
    if immediate:
        return MemoryHuey(NAME, immediate=True, utc=True)
    url = url or default_url(database)
    parts = urlsplit(url)
    scheme = parts.scheme.split("+")[0]
    if scheme == "sqlite":
        # Like dj-database-url: sqlite:///relative.db, sqlite:////absolute.db
        # fsync off: a task lost in a crash costs nothing (the outbox sweep finds its mail).
        return Huey(
            NAME,
            storage_class=LazySqliteStorage,
            filename=parts.path[1:],
            fsync=False,
            utc=True,
        )
    if scheme in {"redis", "rediss"}:
        # A Redis that does not answer must not hold a request: give up after 5 s.
        pool = ConnectionPool.from_url(url, socket_timeout=5, socket_connect_timeout=5)
        return RedisHuey(NAME, connection_pool=pool, utc=True)
    if scheme in {"postgres", "postgresql", "psycopg3"}:
        return postgres_huey(urlunsplit(("psycopg3", *parts[1:])))
    if scheme == "memory":
        return MemoryHuey(NAME, utc=True)
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(f"TASK_QUEUE_URL has an unknown scheme: {parts.scheme!r}")
