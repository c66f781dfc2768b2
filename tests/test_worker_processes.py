"""The task worker as deployed (`manage.py run_huey`, tests/servers.py) beside gunicorn, against
the test database, with mail servers on loopback (tests/mail_servers.py): mail arrives, the
worker decides sessions at their deadline by itself, a mail server that never answers slows
neither the site nor loses mail, and a worker that dies leaves its mail to the next one."""

from __future__ import annotations

import datetime
import secrets
import time

import pytest
from django.db import connection
from django.utils import timezone

from catalogue.taskqueue import task_queue
from enrolments.models import Enrolment, QueuedEmail
from tests.factories import EnrolmentFactory, QueuedEmailFactory, SessionFactory
from tests.mail_servers import Browser, smtp_inbox, tarpit
from tests.servers import collect_static, gunicorn, wait_until, worker
from trainings.models import Session

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

Status = QueuedEmail.Status
FAST = 1.0  # seconds: an enrolment or /healthz; the issue measured 60 s behind a tarpit


@pytest.fixture(scope="module")
def static_root(tmp_path_factory):
    root = tmp_path_factory.mktemp("static")
    collect_static(root)
    return root


@pytest.fixture
def deployment(tmp_path):
    """What the site and its workers share: the secret key (the worker signs links in the
    mail), the public address and the queue. The queue starts empty: on SQLite a file of this
    test's own, on PostgreSQL the tables in the test database (the default), flushed."""
    environment = {
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "SITE_URL": "http://trainingen.example",
        "DJANGO_HTTPS": "0",
        "DJANGO_RATELIMIT_POSTS": "1000",
    }
    if connection.vendor == "sqlite":
        environment["TASK_QUEUE_URL"] = f"sqlite:///{tmp_path / 'tasks.sqlite3'}"
        yield environment
        return
    queue = task_queue("", connection.settings_dict)
    queue.storage.check_conn()  # makes the tables on first use (flush alone does not)
    queue.flush()
    try:
        yield environment
    finally:
        queue.flush()
        queue.storage.close()


def smtp(box) -> str:
    return f"smtp://127.0.0.1:{box.port}"


def person(address: str) -> dict:
    return {
        "first_name": "Anna",
        "last_name": "de Vries",
        "email": address,
        "organisation": "Bibliotheek Utrecht",
        "job_title": "",
        "privacy": "on",
        "website": "",
    }


def enrol(browser: Browser, session, address: str) -> float:
    """Enrol `address` through the public form; the seconds the post itself took."""
    path = f"/sessies/{session.pk}/inschrijven/"
    token = browser.token(path)
    started = time.monotonic()
    status, page = browser.post(path, person(address), token=token)
    took = time.monotonic() - started
    assert status == 200 and "je bent ingeschreven" in page
    return took


def get_timed(browser: Browser, path: str) -> tuple[str, float]:
    started = time.monotonic()
    page = browser.get(path)
    return page, time.monotonic() - started


def statuses(addresses) -> dict[str, str]:
    return dict(QueuedEmail.objects.filter(to__in=addresses).values_list("to", "status"))


def test_an_enrolment_confirmation_arrives_within_ten_seconds_once(
    static_root, tmp_path, deployment
):
    session = SessionFactory(capacity=5)
    with (
        smtp_inbox() as inbox,
        gunicorn(static_root, tmp_path, workers=2, **deployment) as (base,),
        worker(static_root, tmp_path, EMAIL_URL=smtp(inbox), **deployment),
    ):
        enrol(Browser(base), session, "anna@example.org")
        posted = time.monotonic()
        assert wait_until(lambda: inbox.messages, timeout=10), "no mail within 10 s"
        arrived = time.monotonic() - posted
        messages = inbox.wait_for(2, timeout=2)  # and no second one

    assert arrived < 10
    assert [recipients for recipients, _ in messages] == [["anna@example.org"]]
    message = messages[0][1]
    calendars = [part for part in message.iter_attachments() if part.get_filename()]
    assert [part.get_filename() for part in calendars] == [f"sessie-{session.pk}.ics"]
    assert calendars[0].get_content_type() == "text/calendar"
    assert "BEGIN:VEVENT" in calendars[0].get_content()
    queued = QueuedEmail.objects.get()
    assert (queued.kind, queued.status, queued.attempts) == ("registered", Status.SENT, 1)
    assert queued.enrolment == Enrolment.objects.get(email="anna@example.org")


def test_the_worker_decides_sessions_at_their_deadline_by_itself(static_root, tmp_path, deployment):
    """Nobody runs a command: the worker's periodic job decides a session whose deadline
    passed before it started (its first round, at start) and one whose deadline passes while
    it runs (a later round, within a minute), and everyone hears."""
    past = timezone.now() - datetime.timedelta(minutes=5)
    enough = SessionFactory(min_participants=2, capacity=2)
    too_few = SessionFactory(min_participants=3, capacity=3)
    later = SessionFactory(min_participants=1)
    people = {
        enough.pk: [
            EnrolmentFactory(session=enough),
            EnrolmentFactory(session=enough),
            EnrolmentFactory(session=enough, status=Enrolment.Status.WAITLISTED),
        ],
        too_few.pk: [EnrolmentFactory(session=too_few), EnrolmentFactory(session=too_few)],
        later.pk: [EnrolmentFactory(session=later)],
    }
    Session.objects.filter(pk__in=[enough.pk, too_few.pk]).update(registration_deadline=past)

    def status(session) -> str:
        return Session.objects.values_list("status", flat=True).get(pk=session.pk)

    with (
        smtp_inbox() as inbox,
        worker(static_root, tmp_path, EMAIL_URL=smtp(inbox), **deployment),
    ):
        assert wait_until(
            lambda: (
                status(enough) != Session.Status.SCHEDULED
                and status(too_few) != Session.Status.SCHEDULED
            ),
            timeout=30,
        ), "the sessions past their deadline were not decided"
        assert status(later) == Session.Status.SCHEDULED
        # The deadline passes while the worker runs: a later round decides it.
        Session.objects.filter(pk=later.pk).update(registration_deadline=timezone.now())
        passed = time.monotonic()
        assert wait_until(lambda: status(later) != Session.Status.SCHEDULED, timeout=75), (
            "a deadline that passed while the worker ran was not decided"
        )
        decided_after = time.monotonic() - passed
        addresses = [e.email for group in people.values() for e in group]
        wait_until(lambda: set(inbox.recipients()) >= set(addresses), timeout=15)
        inbox.wait_for(len(addresses) + 1, timeout=1)  # and nothing more

    assert decided_after < 70
    assert (status(enough), status(too_few), status(later)) == (
        Session.Status.CONFIRMED,
        Session.Status.CANCELLED,
        Session.Status.CONFIRMED,
    )
    assert inbox.recipients() == dict.fromkeys(addresses, 1)
    kinds = dict(QueuedEmail.objects.values_list("to", "kind"))
    assert kinds == {
        **{e.email: "session_confirmed" for e in people[enough.pk] + people[later.pk]},
        **{e.email: "session_cancelled" for e in people[too_few.pk]},
    }
    assert set(QueuedEmail.objects.values_list("status", flat=True)) == {Status.SENT}


def test_a_mail_server_that_never_answers_slows_nothing_and_loses_no_mail(
    static_root, tmp_path, deployment
):
    session = SessionFactory(capacity=10)
    first = [f"wacht{i}@example.org" for i in range(3)]
    with (
        tarpit() as pit,
        smtp_inbox() as inbox,
        gunicorn(static_root, tmp_path, workers=2, **deployment) as (base,),
    ):
        visitor = Browser(base)
        with worker(
            static_root,
            tmp_path,
            name="worker-tarpit",
            EMAIL_URL=smtp(pit),
            EMAIL_TIMEOUT="2",
            **deployment,
        ):
            timings = [enrol(visitor, session, first[0])]
            assert wait_until(lambda: pit.connections, timeout=10), "the worker never connected"
            # The worker now hangs on the silent server; the site does not notice.
            timings += [enrol(visitor, session, address) for address in first[1:]]
            health, health_took = get_timed(visitor, "/healthz")
            assert wait_until(
                lambda: set(statuses(first).values()) == {Status.FAILED}, timeout=30
            ), f"not all failed: {statuses(first)}"
        assert max(timings) < FAST, timings
        assert health.startswith("ok") and health_took < FAST, health_took
        for queued in QueuedEmail.objects.filter(to__in=first):
            assert "timed out" in queued.last_error
            assert queued.next_attempt_at > timezone.now()  # waits before trying again
        assert inbox.messages == []

        # The mail server is fixed while no worker runs; someone else enrols meanwhile.
        enrol(visitor, session, "daarna@example.org")
        everyone = [*first, "daarna@example.org"]
        # "Send again" (as the admin's action does): due now rather than after the backoff.
        QueuedEmail.objects.filter(status=Status.FAILED).update(next_attempt_at=timezone.now())
        with worker(static_root, tmp_path, name="worker-smtp", EMAIL_URL=smtp(inbox), **deployment):
            assert wait_until(
                lambda: set(statuses(everyone).values()) == {Status.SENT}, timeout=20
            ), f"not all sent: {statuses(everyone)}"
            inbox.wait_for(len(everyone) + 1, timeout=2)  # and nothing more

    assert inbox.recipients() == dict.fromkeys(everyone, 1)
    attempts = dict(QueuedEmail.objects.values_list("to", "attempts"))
    assert attempts == {**dict.fromkeys(first, 2), "daarna@example.org": 1}


def test_mail_queued_for_a_killed_worker_is_sent_once_by_the_next(
    static_root, tmp_path, deployment
):
    session = SessionFactory(capacity=10)
    addresses = [f"persoon{i}@example.org" for i in range(5)]
    with (
        smtp_inbox() as inbox,
        gunicorn(static_root, tmp_path, workers=2, **deployment) as (base,),
    ):
        visitor = Browser(base)
        for address in addresses:  # no worker: the tasks wait in the queue
            enrol(visitor, session, address)
        assert set(statuses(addresses).values()) == {Status.PENDING}
        with worker(
            static_root, tmp_path, name="worker-killed", EMAIL_URL=smtp(inbox), **deployment
        ) as doomed:
            doomed.kill()  # SIGKILL: no clean-up, locks and claims stay where they are
            doomed.wait(timeout=10)
        with worker(
            static_root,
            tmp_path,
            name="worker-next",
            EMAIL_URL=smtp(inbox),
            DJANGO_EMAIL_CLAIM_SECONDS="5",
            **deployment,
        ):
            # At most one sweep round (a minute) if the killed worker had claimed a mail.
            assert wait_until(
                lambda: set(statuses(addresses).values()) == {Status.SENT}, timeout=75
            ), f"not all sent: {statuses(addresses)}"
            inbox.wait_for(len(addresses) + 1, timeout=2)  # and nothing more

    assert inbox.recipients() == dict.fromkeys(addresses, 1)


def test_mail_a_dead_worker_left_sending_is_sent_by_the_next_workers_sweep(
    static_root, tmp_path, deployment
):
    """A worker died between claiming a mail and recording it: once the claim is older than
    EMAIL_CLAIM_SECONDS the next worker's sweep sends it; a fresh claim (a worker still busy
    with it) is left alone."""
    now = timezone.now()
    left = QueuedEmailFactory(status=Status.SENDING, attempts=1)
    busy = QueuedEmailFactory(status=Status.SENDING, attempts=1)
    QueuedEmail.objects.filter(pk=left.pk).update(claimed_at=now - datetime.timedelta(seconds=60))
    QueuedEmail.objects.filter(pk=busy.pk).update(claimed_at=now)
    with (
        smtp_inbox() as inbox,
        worker(
            static_root,
            tmp_path,
            EMAIL_URL=smtp(inbox),
            DJANGO_EMAIL_CLAIM_SECONDS="30",
            **deployment,
        ),
    ):
        assert wait_until(
            lambda: QueuedEmail.objects.get(pk=left.pk).status == Status.SENT, timeout=20
        ), "the mail left sending was not sent"
        inbox.wait_for(2, timeout=1)  # and nothing more

    assert inbox.recipients() == {left.to: 1}
    left.refresh_from_db()
    assert (left.attempts, left.claimed_at) == (2, None)
    busy.refresh_from_db()
    assert (busy.status, busy.attempts) == (Status.SENDING, 1)
