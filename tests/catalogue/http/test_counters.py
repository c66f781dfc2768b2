"""Counters every server process agrees on (catalogue/http/counters.py), and what relies on them:
page versions, rate limits that count places, the admin lock-out, the client's address."""

import threading
import time

import pytest
from django.contrib.auth.models import User
from django.core.cache import cache
from django.db import connection, transaction
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from catalogue.http import counters
from catalogue.http.cache import PLACES, course_version_key
from catalogue.http.ratelimit import client_ip, places_posted
from catalogue.models import Counter
from enrolments.places import services
from tests.factories import RawEnrolmentFactory, SessionFactory

pytestmark = pytest.mark.django_db


# -- The counters ------------------------------------------------------------------------------


def test_adding_returns_the_new_total():
    assert counters.db_add("k", 1, ttl=60) == 1
    assert counters.db_add("k", 3, ttl=60) == 4
    assert counters.db_values(["k", "missing"]) == {"k": 4}
    assert counters.db_values([]) == {}


def test_a_window_starts_again_once_it_has_passed(monkeypatch):
    now = 1_000_000.0
    monkeypatch.setattr(counters.time, "time", lambda: now)
    counters.db_add("k", 5, ttl=60)
    now += 59
    assert counters.db_add("k", 1, ttl=60) == 6
    now += 2  # 61 s after the first count
    assert counters.db_values(["k"]) == {}
    assert counters.get("k") == 0
    assert counters.db_add("k", 1, ttl=60) == 1


def test_kept_counters_never_expire_and_start_where_asked():
    assert counters.db_add("v", start=1000) == 1001
    assert counters.db_add("v", start=1000) == 1002
    assert Counter.objects.get(key="v").expires is None


def test_expired_rows_are_purged_on_a_write(monkeypatch, settings):
    settings.COUNTER_PURGE_EVERY = 1
    now = 1_000_000.0
    monkeypatch.setattr(counters.time, "time", lambda: now)
    counters.db_add("old", 1, ttl=10)
    counters.db_add("version", 1)  # kept: no expiry
    now += 11
    counters.db_add("new", 1, ttl=10)
    assert set(Counter.objects.values_list("key", flat=True)) == {"version", "new"}


def test_a_write_purges_when_its_draw_from_purge_every_comes_up_zero(monkeypatch, settings):
    settings.COUNTER_PURGE_EVERY = 100  # read at each write, not at import
    draws = []
    outcomes = iter([5, 5, 0])
    monkeypatch.setattr(counters.random, "randrange", lambda n: draws.append(n) or next(outcomes))
    now = 1_000_000.0
    monkeypatch.setattr(counters.time, "time", lambda: now)
    counters.db_add("old", 1, ttl=10)
    now += 11
    counters.db_add("a", 1, ttl=10)
    assert set(Counter.objects.values_list("key", flat=True)) == {"old", "a"}
    counters.db_add("b", 1, ttl=10)
    assert set(Counter.objects.values_list("key", flat=True)) == {"a", "b"}
    assert draws == [100, 100, 100]


def test_no_random_purge_when_purge_every_is_zero(monkeypatch, settings):
    # The test suite's setting: a rate-limited post never costs a DELETE by chance.
    settings.COUNTER_PURGE_EVERY = 0
    monkeypatch.setattr(counters.random, "randrange", lambda n: pytest.fail("drawn"))
    now = 1_000_000.0
    monkeypatch.setattr(counters.time, "time", lambda: now)
    counters.db_add("old", 1, ttl=10)
    now += 11
    with CaptureQueriesContext(connection) as context:
        counters.db_add("new", 1, ttl=10)
    assert len(context.captured_queries) == 1
    assert set(Counter.objects.values_list("key", flat=True)) == {"old", "new"}


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_adds_from_many_connections_lose_nothing():
    def work():
        try:
            for _ in range(20):
                counters.db_add("busy", 1, ttl=600)
        finally:
            connection.close()

    threads = [threading.Thread(target=work) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert counters.get("busy") == 120


# -- Page versions -----------------------------------------------------------------------------


def test_a_change_committed_by_another_process_shows_on_the_next_request(client, settings):
    settings.CACHE_PAGES = True  # opt-in: the page cache must hear it too
    session = SessionFactory(capacity=5)
    url = session.course.get_absolute_url()
    assert "Nog 5 plaatsen vrij" in client.get(url).content.decode()
    # Another process enrols someone: this process's memory cache hears nothing of it (a raw
    # row: the services here would tell this process's cache) ...
    RawEnrolmentFactory(session=session)
    assert "Nog 5 plaatsen vrij" in client.get(url).content.decode()
    # ... but the version that process bumped in the database on commit is read here.
    counters.db_add(course_version_key(session.course.slug), start=0)
    assert "Nog 4 plaatsen vrij" in client.get(url).content.decode()


def test_places_changes_bump_the_shared_version_once_per_commit(
    django_capture_on_commit_callbacks,
):
    session = SessionFactory(capacity=20)
    key = course_version_key(session.course.slug)

    def enrol(name):
        services.enrolment_create(
            session_id=session.pk,
            first_name=name,
            last_name="R",
            email=f"{name}@example.org",
            organisation="Bieb",
        )

    with django_capture_on_commit_callbacks(execute=True):
        enrol("a")
    versions = counters.db_values([key, PLACES])
    assert set(versions) == {key, PLACES}
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        for name in ("b", "c", "d"):
            enrol(name)
    after = time.time_ns()
    # Each stamp moves a version to now and at least a second on (counters.db_stamp): a
    # second bump would have gone a further second past this.
    for name, value in counters.db_values([key, PLACES]).items():
        assert versions[name] < value <= max(versions[name] + counters.SECOND_NS, after)


def test_with_redis_the_versions_live_in_the_shared_cache(client, settings):
    settings.SHARED_COUNTERS = "cache"
    settings.CACHE_PAGES = True
    url = SessionFactory().course.get_absolute_url()
    client.get(url)
    with CaptureQueriesContext(connection) as context:
        client.get(url)
    # A cached page reads no version from the database; the one query left is the next
    # session start or deadline of its ETag (catalogue/http/conditional.py).
    assert len(context) == 1
    assert Counter._meta.db_table not in context.captured_queries[0]["sql"]
    assert not Counter.objects.exists()


# -- Rate limits count places ------------------------------------------------------------------


def group_post(rows: int, **overrides) -> dict:
    data = {
        "organisation": "Bibliotheek Gouda",
        "submitted_by_name": "Ans Teamleider",
        "submitted_by_email": "ans@example.org",
        "privacy": "on",
        "website": "",
        "form-TOTAL_FORMS": str(rows),
        "form-INITIAL_FORMS": "0",
        "form-MIN_NUM_FORMS": "0",
        "form-MAX_NUM_FORMS": "50",
        "action": "enrol",
    }
    for i in range(rows):
        data.update(
            {
                f"form-{i}-first_name": "Collega",
                f"form-{i}-last_name": str(i),
                f"form-{i}-email": f"c{i}@example.org",
                f"form-{i}-job_title": "",
            }
        )
    data.update(overrides)
    return data


@pytest.mark.parametrize(
    ("posted", "counted"),
    [
        ({"form-TOTAL_FORMS": "3"}, 3),
        ({"form-TOTAL_FORMS": "500"}, 16),
        ({"form-TOTAL_FORMS": "-4"}, 1),
        ({"form-TOTAL_FORMS": "0"}, 1),
        ({"form-TOTAL_FORMS": "veel"}, 1),
        ({}, 1),
        ({"form-TOTAL_FORMS": "3", "action": "add"}, 0),
        ({"form-TOTAL_FORMS": "3", "action": "remove-1"}, 0),
    ],
)
def test_a_group_post_counts_the_rows_it_enrols(posted, counted):
    assert places_posted(RequestFactory().post("/", posted)) == counted


def test_a_group_counts_each_colleague_against_the_limit(client, settings):
    settings.RATELIMIT_POSTS = 5
    url = reverse("enrolments:group-enrol", args=[SessionFactory(capacity=50).pk])
    assert client.post(url, group_post(3)).status_code != 429  # 3 of 5
    assert client.post(url, group_post(3)).status_code == 429  # 6 > 5
    assert client.post(url, group_post(2)).status_code != 429  # 5 of 5 (the refused 3 took none)


def test_the_limit_is_kept_in_the_database_not_in_this_process(client, settings):
    settings.RATELIMIT_POSTS = 2
    url = reverse("enrolments:enrol", args=[SessionFactory().pk])
    client.post(url, {})
    client.post(url, {})
    cache.clear()  # another process: an empty memory cache
    assert client.post(url, {}).status_code == 429
    assert Counter.objects.get(key="ratelimit:enrol:127.0.0.1").value == 2


# -- Admin lock-out per name and address --------------------------------------------------------


def login(client, username, password, ip):
    return client.post(
        reverse("admin:login"), {"username": username, "password": password}, REMOTE_ADDR=ip
    )


def test_a_stranger_cannot_lock_an_adviser_out(client, settings):
    settings.LOGIN_FAILURES_ALLOWED = 3
    User.objects.create_user("adviseur", password="juist-wachtwoord-7", is_staff=True)
    User.objects.create_user("collega", password="juist-wachtwoord-7", is_staff=True)
    for attempt in range(3):
        assert login(client, "adviseur", f"fout{attempt}", "203.0.113.66").status_code == 200
    cache.clear()  # the next request lands on another process
    assert login(client, "adviseur", "juist-wachtwoord-7", "203.0.113.66").status_code == 429
    # The adviser still gets in from their own address.
    assert login(client, "adviseur", "juist-wachtwoord-7", "192.0.2.10").status_code == 302
    client.logout()
    # Many names tried from one address lock none of the colleagues behind it out.
    for attempt in range(20):
        login(client, f"naam{attempt}", "fout", "203.0.113.66")
    assert login(client, "collega", "juist-wachtwoord-7", "203.0.113.66").status_code == 302


# -- The client's address ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (0, "198.51.100.1", "10.0.0.1"),  # no proxy: a header anyone can send is ignored
        (1, "198.51.100.7", "198.51.100.7"),
        (1, "6.6.6.6, 7.7.7.7, 198.51.100.7", "198.51.100.7"),  # spoofed entries ignored
        (2, "6.6.6.6, 198.51.100.7, 10.0.0.9", "198.51.100.7"),
        (2, "198.51.100.7", "10.0.0.1"),  # fewer hops than proxies: not trusted
        (1, "", "10.0.0.1"),
    ],
)
def test_forwarded_for_is_trusted_only_as_far_as_the_proxies(
    settings, proxies, forwarded, expected
):
    settings.NUM_PROXIES = proxies
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == expected


@pytest.fixture
def redis_trips(settings, monkeypatch):
    """Django's cache in a real Redis (a key prefix of its own); the list of round trips to
    it (a command, or a pipeline sent at once)."""
    import uuid

    import redis

    try:
        redis.Redis.from_url("redis://127.0.0.1:6379/3", socket_timeout=1).ping()
    except redis.RedisError:
        pytest.skip("no Redis server on 127.0.0.1:6379 (start one with redis-server)")
    settings.SHARED_COUNTERS = "cache"
    settings.CACHES = {
        "default": {
            "BACKEND": "catalogue.http.redis_cache.RedisCache",
            "LOCATION": "redis://127.0.0.1:6379/3",
            "KEY_PREFIX": f"test-{uuid.uuid4().hex}",
        }
    }
    trips = []
    for kind, name in ((redis.client.Redis, "execute_command"), (redis.client.Pipeline, "execute")):
        original = getattr(kind, name)

        def counted(self, *args, _original=original, **kwargs):
            trips.append(type(self).__name__)
            return _original(self, *args, **kwargs)

        monkeypatch.setattr(kind, name, counted)
    return trips


def test_with_redis_a_bump_moves_every_version_on_in_one_round_trip(redis_trips):
    from catalogue.http.cache import _bump_now

    course = course_version_key("een-training")
    cache.set(PLACES, 41, timeout=None)
    redis_trips.clear()
    started = time.time_ns()
    try:
        _bump_now(PLACES, course)
        assert redis_trips == ["Pipeline"]  # both keys, set-if-missing and increment
        assert cache.get(PLACES) == 42
        # A key that was not there (or was evicted) starts from the clock: a value no page
        # was ever kept under.
        assert cache.get(course) > started
        _bump_now(course)
        assert cache.get(course) > started + 1
    finally:
        cache.delete_many([PLACES, course])


def test_with_redis_a_count_is_added_in_one_round_trip_within_its_window(redis_trips):
    import redis

    key = "ratelimit:test"
    try:
        assert counters.add(key, 3, ttl=60) == 3
        assert counters.add(key, 2, ttl=60) == 5
        assert redis_trips == ["Pipeline", "Pipeline"]
        assert counters.get(key) == 5
        client = redis.Redis.from_url("redis://127.0.0.1:6379/3")
        assert 0 < client.ttl(cache.make_and_validate_key(key)) <= 60  # the window ends
    finally:
        cache.delete(key)


def test_with_redis_the_cache_keeps_one_client_for_its_calls(redis_trips, monkeypatch):
    """Django's Redis cache made a redis-py client for every call (a table of ~170 callbacks
    copied each time); ours keeps one per connection pool."""
    import redis

    made = []
    original = redis.Redis.__init__

    def counted_init(self, *args, **kwargs):
        made.append(1)
        original(self, *args, **kwargs)

    monkeypatch.setattr(redis.Redis, "__init__", counted_init)
    key = "ratelimit:test-client"
    try:
        cache.set("client-test", 1)
        assert cache.get("client-test") == 1
        counters.add(key, 1, ttl=60)
        assert counters.add(key, 1, ttl=60) == 2
        assert len(redis_trips) == 4
        assert len(made) <= 1
    finally:
        cache.delete_many(["client-test", key])
