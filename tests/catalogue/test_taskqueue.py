"""Where the worker's queue lives (catalogue/taskqueue.py): chosen by TASK_QUEUE_URL, by
default beside the database, and never connected to before it is used."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from huey import MemoryHuey, RedisHuey

from catalogue.taskqueue import LazySqliteStorage, default_url, task_queue

SQLITE = {"ENGINE": "django.db.backends.sqlite3", "NAME": "/srv/tc/db.sqlite3"}
POSTGRES = {
    "ENGINE": "django.db.backends.postgresql",
    "NAME": "trainingen",
    "USER": "tc",
    "PASSWORD": "geheim",
    "HOST": "db.example",
    "PORT": 5433,
}


def test_the_default_queue_sits_beside_the_database():
    assert default_url(SQLITE) == "sqlite:////srv/tc/db-tasks.sqlite3"
    assert default_url(POSTGRES) == "psycopg3://tc:geheim@db.example:5433/trainingen"


def test_an_sqlite_queue_is_a_file_made_on_first_use(tmp_path):
    path = tmp_path / "tasks.sqlite3"
    huey = task_queue(f"sqlite:///{path}", SQLITE)
    assert isinstance(huey.storage, LazySqliteStorage)
    assert not path.exists()  # reading the settings touches nothing

    @huey.task()
    def double(n):
        return 2 * n

    double(21)
    assert path.exists() and huey.pending_count() == 1
    assert huey.execute(huey.dequeue()) == 42


def test_a_postgres_queue_connects_only_when_used():
    huey = task_queue("", POSTGRES)  # db.example does not exist: no error until used
    assert type(huey.storage).__name__ == "LazySqlStorage"
    assert "synchronous_commit" in str(huey.storage.database.connect_params)


def test_redis_and_the_test_suite_queue():
    assert isinstance(task_queue("redis://127.0.0.1:6379/1", SQLITE), RedisHuey)
    immediate = task_queue("redis://127.0.0.1:6379/1", SQLITE, immediate=True)
    assert isinstance(immediate, MemoryHuey) and immediate.immediate


def test_an_unknown_queue_is_a_configuration_error():
    with pytest.raises(ImproperlyConfigured, match="TASK_QUEUE_URL"):
        task_queue("amqp://rabbit", SQLITE)
