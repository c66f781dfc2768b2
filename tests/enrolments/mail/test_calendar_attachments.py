"""Calendar files in mails (RFC 5545/6047) and the mail headers: parsed as a client would."""

import email
import email.policy
import os
import subprocess
import sys

import pytest
from django.core import mail
from django.test import override_settings
from icalendar import Calendar

from catalogue.settings import mail_domain
from enrolments.places import services
from tests.factories import CourseFactory, SessionFactory

pytestmark = pytest.mark.django_db


def enrol(session, address):
    return services.enrolment_create(
        session_id=session.pk,
        first_name="Anna",
        last_name="Jansen",
        email=address,
        organisation="Bibliotheek Utrecht",
    )


def as_received(message) -> email.message.EmailMessage:
    """The message as the SMTP server gets it, parsed back."""
    return email.message_from_bytes(message.message().as_bytes(), policy=email.policy.default)


def calendar_parts(received) -> list:
    return [part for part in received.walk() if part.get_content_type() == "text/calendar"]


def check_calendar_part(part) -> Calendar:
    """One charset, a method parameter equal to the VCALENDAR's METHOD, a VTIMEZONE that
    libical accepts (no COMMENT on it)."""
    header = part["Content-Type"]
    assert str(header).lower().count("charset") == 1
    calendar = Calendar.from_ical(part.get_payload(decode=True))
    assert header.params["method"] == str(calendar["METHOD"])
    for vtimezone in calendar.walk("VTIMEZONE"):
        assert "COMMENT" not in vtimezone
    return calendar


def test_registration_calendar_part_says_publish_in_header_and_body(
    django_capture_on_commit_callbacks,
):
    session = SessionFactory(course=CourseFactory(title="Archiefwet"), days=[10, 17])
    with django_capture_on_commit_callbacks(execute=True):
        enrol(session, "anna@example.org")
    (part,) = calendar_parts(as_received(mail.outbox[0]))
    calendar = check_calendar_part(part)
    assert str(calendar["METHOD"]) == "PUBLISH"
    assert len(list(calendar.walk("VEVENT"))) == 2
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Europe/Amsterdam"]


@override_settings(SITE_URL="https://trainingen.example.nl")
def test_every_mail_is_marked_automatic_with_a_message_id_of_the_site(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        enrol(SessionFactory(), "anna@example.org")
    received = as_received(mail.outbox[0])
    assert received["Auto-Submitted"] == "auto-generated"
    assert received["Message-ID"].endswith("@trainingen.example.nl>")


def test_default_sender_is_in_the_domain_of_the_site_url():
    code = "from django.conf import settings; print(settings.DEFAULT_FROM_EMAIL)"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "catalogue.settings",
        "DJANGO_ENV_FILE": "",
        "SITE_URL": "https://trainingen.example.nl",
    }
    env.pop("DEFAULT_FROM_EMAIL", None)
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); " + code],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.strip() == "Trainingscatalogus <noreply@trainingen.example.nl>"
    assert mail_domain("http://127.0.0.1:8000") == "localhost"  # an IP cannot be the domain
