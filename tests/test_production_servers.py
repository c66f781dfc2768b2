"""The application as production runs it: gunicorn, DEBUG off, several instances."""

import http.client
import re
import threading
import urllib.error
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar
from urllib.parse import urlsplit

import pytest

from enrolments.models import Enrolment
from tests.factories import SessionFactory
from tests.servers import collect_static, gunicorn

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture(scope="session")
def static_root(tmp_path_factory):
    root = tmp_path_factory.mktemp("static")
    collect_static(root)
    return root


class Visitor:
    """One person's browser: its own cookies, following redirects like a browser does."""

    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))

    def get(self, path: str) -> str:
        with self.opener.open(self.base + path, timeout=30) as response:
            return response.read().decode()

    def post(self, path: str, data: dict) -> tuple[int, str, str]:
        body = urllib.parse.urlencode(data).encode()
        with self.opener.open(self.base + path, body, timeout=60) as response:
            return response.status, response.geturl(), response.read().decode()


def test_two_server_processes_never_overbook(static_root, tmp_path):
    session = SessionFactory(capacity=10)
    path = f"/sessies/{session.pk}/inschrijven/"
    with gunicorn(
        static_root, tmp_path, count=2, workers=2, DJANGO_HTTPS="0", DJANGO_RATELIMIT_POSTS="100000"
    ) as (first, second):
        visitors = [Visitor(first if i % 2 else second) for i in range(40)]
        tokens = [
            re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', v.get(path)).group(1)
            for v in visitors
        ]
        barrier = threading.Barrier(len(visitors))
        results, errors = [None] * len(visitors), []

        def enrol(index):
            try:
                barrier.wait(timeout=30)
                results[index] = visitors[index].post(
                    path,
                    {
                        "csrfmiddlewaretoken": tokens[index],
                        "first_name": "P",
                        "last_name": str(index),
                        "email": f"p{index}@example.org",
                        "organisation": f"Bieb {index}",
                        "privacy": "on",
                        "website": "",
                    },
                )
            except Exception as error:  # collected and asserted on below
                errors.append(error)

        threads = [threading.Thread(target=enrol, args=(i,)) for i in range(len(visitors))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
    assert errors == []
    assert all(status == 200 and "/inschrijven/ontvangen/" in url for status, url, _ in results)
    headings = [re.search(r"<h1>(.*?)</h1>", page, re.S).group(1) for *_, page in results]
    registered = sum("je bent ingeschreven" in heading for heading in headings)
    waitlisted = sum("Je staat op de wachtlijst" in heading for heading in headings)
    assert (registered, waitlisted) == (10, 30)
    assert Enrolment.objects.filter(session=session, status="registered").count() == 10
    assert Enrolment.objects.filter(session=session, status="waitlisted").count() == 30


def raw_get(base: str, path: str, headers: dict | None = None) -> http.client.HTTPResponse:
    parts = urlsplit(base)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    conn.request("GET", path, headers=headers or {})
    response = conn.getresponse()
    response.read()
    conn.close()
    return response


def test_response_headers_of_a_production_configured_server(static_root, tmp_path):
    session = SessionFactory()
    with gunicorn(static_root, tmp_path, DJANGO_HTTPS="1", DJANGO_NUM_PROXIES="1") as (base,):
        # Over plain HTTP (no proxy saying https), everything is redirected to HTTPS.
        redirect = raw_get(base, "/trainingen/")
        assert redirect.status == 301
        assert redirect.getheader("Location").startswith("https://")
        assert redirect.getheader("Location").endswith("/trainingen/")
        https = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.5"}
        page = raw_get(base, f"/sessies/{session.pk}/inschrijven/", https)
        assert page.status == 200
        assert page.getheader("Strict-Transport-Security") == (
            "max-age=31536000; includeSubDomains; preload"
        )
        policy = page.getheader("Content-Security-Policy")
        assert "default-src 'self'" in policy and "unsafe-inline" not in policy
        assert page.getheader("X-Content-Type-Options") == "nosniff"
        assert page.getheader("X-Frame-Options") == "DENY"
        assert page.getheader("Referrer-Policy") == "same-origin"
        assert page.getheader("Cross-Origin-Opener-Policy") == "same-origin"
        assert re.fullmatch(r"[0-9a-f]{32}", page.getheader("X-Request-ID"))
        cookie = page.getheader("Set-Cookie")
        assert "csrftoken=" in cookie and "Secure" in cookie and "HttpOnly" in cookie
        # Static files: hashed names, compressed, cached for a year.
        home = raw_get(base, "/", https)
        assert home.status == 200
        css = re.search(r"/static/css/site\.[0-9a-f]+\.css", raw_get_body(base, "/", https))
        static = raw_get(base, css.group(0), {**https, "Accept-Encoding": "gzip"})
        assert static.status == 200
        assert static.getheader("Content-Encoding") == "gzip"
        assert "immutable" in static.getheader("Cache-Control")
        assert raw_get(base, "/healthz", https).status == 200


def raw_get_body(base: str, path: str, headers: dict) -> str:
    parts = urlsplit(base)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    conn.request("GET", path, headers=headers)
    body = conn.getresponse().read().decode()
    conn.close()
    return body


def redis_available() -> bool:
    import redis

    try:
        return redis.Redis.from_url(REDIS_URL, socket_timeout=1).ping()
    except redis.RedisError:
        return False


REDIS_URL = "redis://127.0.0.1:6379/0"


def test_instances_share_rate_limits_and_sessions_through_redis(static_root, tmp_path):
    import uuid

    if not redis_available():
        pytest.skip("no Redis server on 127.0.0.1:6379 (start one with redis-server)")
    from django.contrib.auth.hashers import PBKDF2PasswordHasher
    from django.contrib.auth.models import User

    # The servers use the production password hashers, not the fast one of the tests.
    User.objects.create(
        username="adviseur",
        is_staff=True,
        is_superuser=True,
        password=PBKDF2PasswordHasher().encode("juist-wachtwoord-7", "zout1234"),
    )
    session = SessionFactory()
    path = f"/sessies/{session.pk}/inschrijven/"
    with gunicorn(
        static_root,
        tmp_path,
        count=2,
        DJANGO_HTTPS="0",
        REDIS_URL=REDIS_URL,
        DJANGO_CACHE_PREFIX=f"test-{uuid.uuid4().hex}",
        DJANGO_RATELIMIT_POSTS="3",
    ) as (first, second):
        # The limit counts posts to either instance: the fourth is refused.
        statuses = []
        for base in (first, second, first, second):
            visitor = Visitor(base)
            token = re.search(
                r'name="csrfmiddlewaretoken" value="([^"]+)"', visitor.get(path)
            ).group(1)
            try:
                statuses.append(visitor.post(path, {"csrfmiddlewaretoken": token})[0])
            except urllib.error.HTTPError as error:
                statuses.append(error.code)
        assert statuses == [400, 400, 400, 429]
        # A login on one instance is valid on the other: the session lives in Redis.
        adviser = Visitor(first)
        login = adviser.get("/admin/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', login).group(1)
        adviser.post(
            "/admin/login/?next=/admin/",
            {
                "csrfmiddlewaretoken": token,
                "username": "adviseur",
                "password": "juist-wachtwoord-7",
            },
        )
        adviser.base = second
        assert "Trainingscatalogus — beheer" in adviser.get("/admin/")
        assert "/admin/login/" not in adviser.opener.open(second + "/admin/").geturl()
