"""With the database unreachable the site says so (503), quickly, instead of failing (500).

Runs the application as production does (gunicorn, DEBUG off) against a PostgreSQL address
where nothing listens. The pages must not wait for the database, nor read the session, to
say that it is away.
"""

from __future__ import annotations

import http.client
import secrets
import subprocess
import time
import urllib.parse

import pytest

from tests.servers import GUNICORN, ROOT, collect_static, free_port, production_env

UNREACHABLE = "postgres://postgres@127.0.0.1:1/x?connect_timeout=2"
TOKEN = secrets.token_hex(16)  # 32 characters: a CSRF secret the middleware accepts as is
SESSION_COOKIE = "sessionid=" + secrets.token_hex(16)  # a visitor who was here before
MAX_SECONDS = 3.0


@pytest.fixture(scope="module")
def static_root(tmp_path_factory):
    root = tmp_path_factory.mktemp("static")
    collect_static(root)
    return root


@pytest.fixture(scope="module")
def server(static_root, tmp_path_factory):
    """gunicorn with two workers and a database URL that refuses every connection."""
    log_path = tmp_path_factory.mktemp("logs") / "gunicorn.log"
    port = free_port()
    env = production_env(static_root, DATABASE_URL=UNREACHABLE, DJANGO_HTTPS="0")
    with open(log_path, "w") as log:
        process = subprocess.Popen(
            [
                str(GUNICORN),
                "catalogue.wsgi",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "2",
                "--config",
                str(ROOT / "gunicorn.conf.py"),
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            wait_for_an_answer(port, process, log_path)
            yield port
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()


def wait_for_an_answer(port: int, process, log_path, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn stopped:\n{log_path.read_text()}")
        try:
            request(port, "GET", "/healthz")
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not start:\n{log_path.read_text()}")


def request(port: int, method: str, path: str, body: dict | None = None, cookie: str = ""):
    """(status, headers, text, seconds) of one request; a hang fails on the socket timeout."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=MAX_SECONDS * 3)
    headers = {"Cookie": cookie} if cookie else {}
    data = None
    if body is not None:
        data = urllib.parse.urlencode(body)
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    started = time.monotonic()
    try:
        connection.request(method, path, body=data, headers=headers)
        response = connection.getresponse()
        text = response.read().decode()
    finally:
        connection.close()
    return response.status, response.headers, text, time.monotonic() - started


ENROL = {
    "csrfmiddlewaretoken": TOKEN,
    "first_name": "Anna",
    "last_name": "Jansen",
    "email": "anna@example.org",
    "organisation": "Bibliotheek Utrecht",
    "privacy": "on",
    "website": "",
}


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", "/", None),
        ("GET", "/trainingen/", None),
        ("GET", "/trainingen/?q=privacy&format=e-learning", None),
        ("GET", "/trainingen/privacy-in-het-ido/", None),
        ("GET", "/sessies.ics", None),
        ("POST", "/sessies/1/inschrijven/", ENROL),
    ],
)
@pytest.mark.parametrize("returning", [False, True], ids=["new-visitor", "with-session"])
def test_pages_answer_503_quickly_without_the_database(server, method, path, body, returning):
    cookie = f"csrftoken={TOKEN}" + (f"; {SESSION_COOKIE}" if returning else "")
    status, headers, text, seconds = request(server, method, path, body, cookie)
    assert status == 503, text[:500]
    assert int(headers["Retry-After"]) > 0
    assert "tijdelijk niet beschikbaar" in text
    assert headers["Content-Language"] == "nl"
    assert "Set-Cookie" not in headers  # nothing was written to a session
    assert seconds < MAX_SECONDS


@pytest.mark.parametrize("path", ["/bestaat-niet/", "/sessies/1/inschrijven/"])
def test_error_pages_that_need_the_session_answer_503_too(server, path):
    # The 404 page and the CSRF failure page (a POST without a token) ask for the user.
    method, body = ("POST", {"first_name": "x"}) if "inschrijven" in path else ("GET", None)
    status, headers, text, _seconds = request(server, method, path, body, SESSION_COOKIE)
    assert status == 503
    assert "Retry-After" in headers
    assert "tijdelijk niet beschikbaar" in text


def test_the_503_page_is_english_under_english(server):
    status, headers, text, _seconds = request(
        server, "GET", "/en/trainingen/", cookie=f"django_language=en; {SESSION_COOKIE}"
    )
    assert status == 503
    assert headers["Content-Language"] == "en"
    assert "temporarily unavailable" in text


def test_healthz_still_reports_the_database(server):
    status, _headers, text, _seconds = request(server, "GET", "/healthz")
    assert (status, text) == (503, "database unavailable")
