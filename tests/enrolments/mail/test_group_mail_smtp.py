"""The group form over a real SMTP server on loopback, with the app run as deployed
(gunicorn, DEBUG off): what an anonymous stranger can make us mail, and to whom."""

import re
import secrets

import pytest

from enrolments.models import Enrolment, EnrolmentGroup
from tests.factories import SessionFactory
from tests.mail_servers import Browser, smtp_inbox
from tests.servers import collect_static, gunicorn, worker

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

BAIT = "klant,\r\n\r\nUw account wordt geblokkeerd. Bevestig via https://evil.example/x"


@pytest.fixture
def inbox():
    with smtp_inbox() as box:
        yield box


@pytest.fixture(scope="module")
def static_root(tmp_path_factory):
    root = tmp_path_factory.mktemp("static")
    collect_static(root)
    return root


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
