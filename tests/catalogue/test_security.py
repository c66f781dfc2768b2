"""Security and robustness: headers, error pages, CSRF, rate limits, admin lock-out, settings."""

import logging
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.test import Client, RequestFactory, override_settings
from django.urls import reverse
from django.views import defaults

from catalogue.middleware import RequestIDFilter, request_id
from enrolments.models import Enrolment
from tests.factories import SessionFactory

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]


def test_security_headers_on_every_page(client):
    response = client.get(reverse("catalogue:home"))
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "script-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy and "unsafe-inline" not in policy
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


def test_admin_has_the_same_strict_policy(admin_client):
    policy = admin_client.get(reverse("admin:index"))["Content-Security-Policy"]
    assert "style-src 'self'" in policy and "unsafe-inline" not in policy


def test_request_id_is_returned_and_logged(client, caplog):
    response = client.get("/healthz", HTTP_X_REQUEST_ID="proxy-id-123456")
    assert response["X-Request-ID"] == "proxy-id-123456"
    generated = client.get("/healthz", HTTP_X_REQUEST_ID="bad id!")["X-Request-ID"]
    assert generated != "bad id!" and len(generated) == 32
    token = request_id.set("abcdef123456")
    try:
        record = logging.LogRecord("x", logging.INFO, __file__, 1, "msg", None, None)
        RequestIDFilter().filter(record)
    finally:
        request_id.reset(token)
    assert record.request_id == "abcdef123456"


def test_404_page_is_in_the_site_design(client):
    response = client.get("/bestaat-niet/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "Deze pagina bestaat niet (meer)" in html and "Trainingscatalogus" in html


@pytest.mark.parametrize(
    "view, status, text",
    [
        (defaults.bad_request, 400, "Dit verzoek klopt niet"),
        (defaults.permission_denied, 403, "Je hebt geen toegang"),
        (defaults.server_error, 500, "Er ging bij ons iets mis"),
    ],
)
def test_error_pages_are_in_the_site_design(view, status, text):
    request = RequestFactory().get("/")
    response = view(request) if view is defaults.server_error else view(request, Exception())
    assert response.status_code == status
    assert text in response.content.decode()


def test_stale_csrf_token_gets_a_clear_page_and_saves_nothing():
    client = Client(enforce_csrf_checks=True)
    session = SessionFactory()
    response = client.post(
        reverse("enrolments:enrol", args=[session.pk]),
        {"first_name": "A", "csrfmiddlewaretoken": "verlopen"},
    )
    assert response.status_code == 403
    assert "Het formulier is verlopen" in response.content.decode()
    assert not Enrolment.objects.exists()


@override_settings(RATELIMIT_POSTS=3, RATELIMIT_WINDOW=60)
def test_public_forms_are_rate_limited_per_client(client):
    url = reverse("enrolments:enrol", args=[SessionFactory().pk])
    for _ in range(3):
        assert client.post(url, {}).status_code == 400
    limited = client.post(url, {})
    assert limited.status_code == 429
    assert limited["Retry-After"] == "60"
    assert "Te veel verzoeken" in limited.content.decode()
    assert client.get(url).status_code == 200  # reading is never limited
    assert client.post(url, {}, REMOTE_ADDR="10.0.0.2").status_code == 400  # someone else


@override_settings(RATELIMIT_POSTS=2, RATELIMIT_WINDOW=60, NUM_PROXIES=1)
def test_behind_a_proxy_the_forwarded_client_counts(client):
    url = reverse("enrolments:enrol", args=[SessionFactory().pk])
    for _ in range(2):
        client.post(url, {}, HTTP_X_FORWARDED_FOR="198.51.100.7")
    assert client.post(url, {}, HTTP_X_FORWARDED_FOR="198.51.100.7").status_code == 429
    assert client.post(url, {}, HTTP_X_FORWARDED_FOR="198.51.100.8").status_code == 400


@override_settings(LOGIN_FAILURES_ALLOWED=3)
def test_admin_login_locks_after_repeated_failures(client):
    User.objects.create_user("adviseur", password="juist-wachtwoord-7", is_staff=True)
    login = reverse("admin:login")
    for _ in range(3):
        response = client.post(login, {"username": "adviseur", "password": "fout"})
        assert response.status_code == 200
    locked = client.post(login, {"username": "Adviseur", "password": "juist-wachtwoord-7"})
    assert locked.status_code == 429
    assert "Te veel mislukte pogingen" in locked.content.decode()
    # Someone else, elsewhere, is not locked out.
    other = client.post(
        login, {"username": "adviseur", "password": "juist-wachtwoord-7"}, REMOTE_ADDR="10.1.1.1"
    )
    assert other.status_code == 302


@override_settings(LOGIN_FAILURES_ALLOWED=3)
def test_successful_login_resets_the_count(client):
    User.objects.create_user("adviseur", password="juist-wachtwoord-7", is_staff=True)
    login = reverse("admin:login")
    for _ in range(2):
        client.post(login, {"username": "adviseur", "password": "fout"})
    assert (
        client.post(login, {"username": "adviseur", "password": "juist-wachtwoord-7"}).status_code
        == 302
    )
    client.logout()
    for _ in range(2):
        client.post(login, {"username": "adviseur", "password": "fout"})
    assert (
        client.post(login, {"username": "adviseur", "password": "juist-wachtwoord-7"}).status_code
        == 302
    )


def run_manage(*args, **env):
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DATABASE_URL"))
    }
    environment.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_startup_fails_clearly_without_a_secret_key():
    result = run_manage("check", DJANGO_DEBUG="0")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is not set" in result.stderr


def test_developer_commands_that_sign_nothing_run_without_a_secret_key():
    result = run_manage("makemigrations", "--check", "--dry-run", DJANGO_DEBUG="0")
    assert result.returncode == 0, result.stderr
    assert "No changes detected" in result.stdout


def test_check_deploy_is_clean_with_production_settings():
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(64),
        DJANGO_ALLOWED_HOSTS="trainingen.example.nl",
        DJANGO_CSRF_TRUSTED_ORIGINS="https://trainingen.example.nl",
        DJANGO_NUM_PROXIES="1",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
