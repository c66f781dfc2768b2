"""Reminders sent by a real worker process (`manage.py run_huey`, as the Procfile runs it)
over a real SMTP server on loopback: nobody runs a command, and nobody gets two."""

import datetime
import email
import email.policy
import re
import time

import pytest
from aiosmtpd.controller import Controller
from django.conf import settings
from django.utils import timezone

from enrolments.models import QueuedEmail
from tests.factories import CourseFactory, EnrolmentFactory, SessionFactory
from tests.servers import collect_static, free_port, worker

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

# The periodic jobs run when the worker starts and then once a minute.
NEXT_RUN = 75


class Inbox:
    """Every message the SMTP server accepted, parsed."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append(message)
        return "250 OK"

    def wait_until(self, done, timeout: float) -> list:
        deadline = time.monotonic() + timeout
        while not done(self.messages) and time.monotonic() < deadline:
            time.sleep(0.1)
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


def to(message) -> str:
    return str(message["To"])


def test_the_worker_reminds_each_person_once(static_root, tmp_path, inbox, client):
    session = SessionFactory(days=[2], capacity=5, course=CourseFactory(title="Archiefwet"))
    week_ago = timezone.now() - datetime.timedelta(days=7)
    people = [EnrolmentFactory(session=session, created_at=week_ago) for _ in range(2)]
    addresses = sorted(person.email for person in people)
    environment = {
        # The worker signs the self-service links: the key the site (here: the tests) checks.
        "DJANGO_SECRET_KEY": settings.SECRET_KEY,
        "EMAIL_URL": f"smtp://127.0.0.1:{inbox.port}",
        "SITE_URL": "http://trainingen.example",
        "DJANGO_REMINDER_DAYS_BEFORE": "3",
    }
    with worker(static_root, tmp_path, **environment) as process:
        messages = inbox.wait_until(lambda got: len(got) >= 2, timeout=NEXT_RUN)
        assert sorted(to(message) for message in messages) == addresses, (
            tmp_path / "worker.log"
        ).read_text()
        for message in messages:
            assert str(message["Subject"]).startswith("Herinnering: Archiefwet op ")
            (calendar,) = [
                part for part in message.walk() if part.get_content_type() == "text/calendar"
            ]
            assert b"METHOD:PUBLISH" in calendar.get_payload(decode=True)
            body = message.get_body(preferencelist=("plain",)).get_content()
            path = re.search(r"http://trainingen\.example(/inschrijving/\S+/)", body).group(1)
            assert client.get(path).status_code == 200  # a link the site opens

        # Two more places appear: one taken a week ago (an adviser's late entry), one just
        # now (its confirmation says it all). The next run reminds only the first, and
        # nobody a second time.
        entered = EnrolmentFactory(session=session, created_at=week_ago)
        just_now = EnrolmentFactory(session=session)
        messages = inbox.wait_until(lambda got: len(got) >= 3, timeout=NEXT_RUN)
        assert sorted(to(message) for message in messages) == sorted([*addresses, entered.email])
        assert len(inbox.wait_until(lambda got: len(got) > 3, timeout=3)) == 3
        assert process.poll() is None
    assert QueuedEmail.objects.filter(kind="reminder", status="sent").count() == 3
    for person in [*people, entered]:
        person.refresh_from_db()
        assert person.reminded_at is not None
    just_now.refresh_from_db()
    assert just_now.reminded_at is None
