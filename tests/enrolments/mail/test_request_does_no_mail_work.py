"""The enrolment request only stores its mail and asks the worker to send it: no template, no
calendar file, no SMTP in the request (issue 15). Huey queues the task as deployed here (the
test settings run tasks at once, which would hide the difference); the test plays the worker.

Transactional: the mail is queued on commit, and the task closes its connections as it does
in the worker, which a test inside one transaction cannot survive."""

from unittest import mock

import pytest
from django.core import mail
from django.test.signals import template_rendered
from django.urls import reverse
from huey.contrib.djhuey import HUEY

from enrolments.models import Enrolment, QueuedEmail
from enrolments.tasks import sweep_outbox
from tests.factories import SessionFactory
from trainings import calendars

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

Status = QueuedEmail.Status


@pytest.fixture
def queue():
    """Huey as in production: a task waits on the queue until a worker takes it."""
    immediate = HUEY.immediate
    HUEY.immediate = False
    try:
        yield HUEY
    finally:
        HUEY.flush()
        HUEY.immediate = immediate


@pytest.fixture
def mail_templates():
    """Names of the mail templates rendered while the test runs."""
    names = []

    def record(sender, template, **kwargs):
        if template.name and template.name.startswith("enrolments/email/"):
            names.append(template.name)

    template_rendered.connect(record)
    try:
        yield names
    finally:
        template_rendered.disconnect(record)


@pytest.fixture
def calendar_events():
    """A spy on the one place calendar events are built (every .ics goes through it)."""
    with mock.patch.object(calendars, "day_event", wraps=calendars.day_event) as spy:
        yield spy


def enrol(client, session):
    return client.post(
        reverse("enrolments:enrol", args=[session.pk]),
        {
            "first_name": "Anna",
            "last_name": "de Vries",
            "email": "anna@example.org",
            "organisation": "Bibliotheek Utrecht",
            "job_title": "",
            "privacy": "on",
            "website": "",
        },
    )


def test_an_enrolment_post_stores_its_mail_unrendered_and_queues_the_sending(
    client, queue, mail_templates, calendar_events
):
    response = enrol(client, SessionFactory())

    assert response.status_code == 302
    queued = QueuedEmail.objects.get()
    assert (queued.status, queued.subject, queued.body_text, queued.attachments) == (
        Status.PENDING,
        "",
        "",
        [],
    )
    assert mail_templates == []
    assert calendar_events.call_count == 0
    assert mail.outbox == []
    assert [(task.name, task.args) for task in queue.pending()] == [("send_task", (queued.pk,))]


def test_the_queued_task_renders_and_sends_the_mail(client, queue, mail_templates, calendar_events):
    session = SessionFactory()
    enrol(client, session)
    (task,) = queue.pending()

    queue.execute(queue.dequeue())  # what the worker does with it

    assert task.name == "send_task"
    assert {"enrolments/email/registered.txt", "enrolments/email/registered.html"} <= set(
        mail_templates
    )
    assert calendar_events.call_count == 1
    assert [message.to for message in mail.outbox] == [["anna@example.org"]]
    assert [name for name, _content, _type in mail.outbox[0].attachments] == [
        f"sessie-{session.pk}.ics"
    ]
    queued = QueuedEmail.objects.get()
    assert (queued.status, queued.attempts) == (Status.SENT, 1)
    assert queued.body_text != ""
    assert queue.pending_count() == 0


def test_an_enrolment_goes_through_when_the_queue_is_down(client, queue, caplog):
    with mock.patch.object(queue.storage, "enqueue", side_effect=OSError("queue unreachable")):
        response = enrol(client, SessionFactory())

    assert response.status_code == 302
    assert Enrolment.objects.get().email == "anna@example.org"
    assert QueuedEmail.objects.get().status == Status.PENDING
    assert queue.pending_count() == 0
    assert mail.outbox == []
    assert "Queueing e-mail" in caplog.text


def test_the_sweep_sends_the_mail_the_queue_never_took(client, queue):
    with mock.patch.object(queue.storage, "enqueue", side_effect=OSError("queue unreachable")):
        enrol(client, SessionFactory())

    sweep_outbox.call_local()  # the worker's periodic task, once a minute

    assert [message.to for message in mail.outbox] == [["anna@example.org"]]
    assert QueuedEmail.objects.get().status == Status.SENT
