"""The group form over a real SMTP server on loopback, with the app run as deployed
(gunicorn, DEBUG off): what an anonymous stranger can make us mail, and to whom."""

import email
import email.policy
import re
import secrets
import time
import urllib.error
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar

import pytest
from aiosmtpd.controller import Controller

from enrolments.models import Enrolment, EnrolmentGroup
from tests.factories import SessionFactory
from tests.servers import collect_static, free_port, gunicorn, worker

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

BAIT = "klant,\r\n\r\nUw account wordt geblokkeerd. Bevestig via https://evil.example/x"


class Inbox:
    """Every message the SMTP server accepted: (recipients, parsed message)."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append((list(envelope.rcpt_tos), message))
        return "250 OK"

    def wait_for(self, count: int, timeout: float = 15) -> list:
        deadline = time.monotonic() + timeout
        while len(self.messages) < count and time.monotonic() < deadline:
            time.sleep(0.1)
        time.sleep(0.5)  # and nothing more after that
        return list(self.messages)


@pytest.fixture
def inbox():
    box = Inbox()
    controller = Controller(box, hostname="127.0.0.1", port=free_port())
    controller.start()
    box.port = controller.port
    yield box
    controller.stop()


@pytest.fixture(scope="module")
def static_root(tmp_path_factory):
    root = tmp_path_factory.mktemp("static")
    collect_static(root)
    return root


class Browser:
    def __init__(self, base: str):
        self.base = base
        self.cookies = CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies))

    def get(self, path: str) -> str:
        with self.opener.open(self.base + path, timeout=30) as response:
            return response.read().decode()

    def post(self, path: str, data: dict) -> tuple[int, str]:
        """Post a form from the page at `path` (with its CSRF token); (status, final page)."""
        found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', self.get(path))
        # A page without a form (a confirmed group): post with the token of the cookie.
        token = found.group(1) if found else self.cookie("csrftoken")
        body = urllib.parse.urlencode({**data, "csrfmiddlewaretoken": token}).encode()
        try:
            with self.opener.open(self.base + path, body, timeout=60) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def cookie(self, name: str) -> str:
        return next(cookie.value for cookie in self.cookies if cookie.name == name)


def group_form(rows, sender="ans@example.org") -> dict:
    data = {
        "organisation": "Bibliotheek Gouda",
        "submitted_by_name": "Ans Teamleider",
        "submitted_by_email": sender,
        "privacy": "on",
        "website": "",
        "form-TOTAL_FORMS": str(len(rows)),
        "form-INITIAL_FORMS": "0",
        "action": "enrol",
    }
    for i, (first, last, address) in enumerate(rows):
        data |= {
            f"form-{i}-first_name": first,
            f"form-{i}-last_name": last,
            f"form-{i}-email": address,
            f"form-{i}-job_title": "",
        }
    return data


def text_of(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def test_the_group_form_mails_only_the_sender_until_they_confirm(static_root, tmp_path, inbox):
    session = SessionFactory(capacity=20)
    form = f"/sessies/{session.pk}/inschrijven/groep/"
    environment = {  # the worker signs the links in the mail: the same key as the site
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "EMAIL_URL": f"smtp://127.0.0.1:{inbox.port}",
        "SITE_URL": "http://trainingen.example",
    }
    with (
        gunicorn(
            static_root,
            tmp_path,
            DJANGO_HTTPS="0",
            DJANGO_RATELIMIT_POSTS="1000",
            **environment,
        ) as (base,),
        worker(static_root, tmp_path, **environment),
    ):
        stranger = Browser(base)

        # The measured relay: 50 rows, a first name carrying a message. Refused, nothing sent.
        rows = [(BAIT, "Klant", f"slachtoffer{i}@example.org") for i in range(50)]
        status, page = stranger.post(form, group_form(rows))
        assert status == 400
        assert "maximaal 16 collega" in page
        assert inbox.wait_for(1, timeout=2) == []

        # The most a stranger can do now: 16 plain rows, someone else's address as sender.
        rows = [("Anna", f"Doelwit{i}", f"doelwit{i}@example.org") for i in range(16)]
        status, page = stranger.post(form, group_form(rows, sender="victim@example.org"))
        assert status == 200 and "Bevestig je aanmelding via de e-mail" in page
        messages = inbox.wait_for(1)
        assert [recipients for recipients, _ in messages] == [["victim@example.org"]]
        body = text_of(messages[0][1])
        assert "16 collega's" in body
        for typed in ("Doelwit", "doelwit", "Ans Teamleider", "Bibliotheek Gouda"):
            assert typed not in body
        assert not Enrolment.objects.exists()

        # The real sender confirms: opening the link changes nothing, the button places all.
        link = re.search(r"http://trainingen\.example(/groepsaanmelding/\S+/)", body).group(1)
        assert "Aanmelding bevestigen" in stranger.get(link)
        assert not Enrolment.objects.exists()
        status, page = stranger.post(link, {})
        assert status == 200 and "Je collega's zijn aangemeld" in page
        messages = inbox.wait_for(17)
        recipients = sorted(r for rcpt, _ in messages[1:] for r in rcpt)
        assert recipients == sorted(f"doelwit{i}@example.org" for i in range(16))
        assert Enrolment.objects.filter(session=session).count() == 16
        assert EnrolmentGroup.objects.get().people == []
        # Confirming again places and mails nobody.
        status, _page = stranger.post(link, {})
        assert status == 200
        assert len(inbox.wait_for(18, timeout=2)) == 17
