"""The reminder a few days before a session (enrolments/jobs.py send_reminders): once per
person, only for people with a place in a session that goes on, in their language, with the
calendar file, the address or online link and the self-service link."""

import datetime
import email
import email.policy
import re
import threading
from unittest import mock

import pytest
from django.core import mail
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from icalendar import Calendar

from enrolments import jobs
from enrolments.models import Enrolment, QueuedEmail
from enrolments.places import services
from enrolments.places.tokens import enrolment_from_token
from tests.factories import CourseFactory, EnrolmentFactory, LocationFactory, SessionFactory
from trainings.models import Session

pytestmark = pytest.mark.django_db


def placed(**kwargs) -> Enrolment:
    """Enrolled a week ago, before the reminder window opened."""
    kwargs.setdefault("created_at", timezone.now() - datetime.timedelta(days=7))
    return EnrolmentFactory(**kwargs)


R, W, C = Enrolment.Status.REGISTERED, Enrolment.Status.WAITLISTED, Enrolment.Status.CANCELLED


@pytest.fixture
def send(django_capture_on_commit_callbacks):
    """Run the job as the worker does: the mails it queues are sent once it commits."""

    def run(**kwargs) -> int:
        with django_capture_on_commit_callbacks(execute=True):
            return jobs.send_reminders(**kwargs)

    return run


def as_received(message) -> email.message.EmailMessage:
    return email.message_from_bytes(message.message().as_bytes(), policy=email.policy.default)


def text_of(message) -> str:
    return as_received(message).get_body(preferencelist=("plain",)).get_content()


def html_of(message) -> str:
    return as_received(message).get_body(preferencelist=("html",)).get_content()


def recipients() -> list[str]:
    return sorted(address for message in mail.outbox for address in message.to)


def test_reminder_goes_once_even_when_the_job_runs_again(send):
    session = SessionFactory(days=[2])
    people = [placed(session=session) for _ in range(2)]
    assert send() == 2
    assert send() == 0
    assert recipients() == sorted(person.email for person in people)
    assert all(m.subject.startswith("Herinnering: ") for m in mail.outbox)
    for person in people:
        person.refresh_from_db()
        assert person.reminded_at is not None
    assert QueuedEmail.objects.filter(kind="reminder").count() == 2


def test_no_reminder_for_the_waiting_list_or_a_cancelled_place(send):
    session = SessionFactory(days=[2], capacity=1)
    first = placed(session=session)
    placed(session=session, status=W)
    placed(session=session, status=C)
    assert send() == 1
    assert recipients() == [first.email]


def test_no_reminder_for_a_cancelled_session(send):
    session = SessionFactory(days=[2])
    placed(session=session)
    Session.objects.filter(pk=session.pk).update(status=Session.Status.CANCELLED)
    assert send() == 0
    assert mail.outbox == []


def test_no_reminder_once_the_session_has_begun(send):
    session = SessionFactory(days=[2])
    placed(session=session)
    assert send(now=session.starts_at + datetime.timedelta(minutes=1)) == 0
    assert mail.outbox == []


def test_the_reminder_goes_when_the_session_is_three_days_away_not_before(send, settings):
    assert settings.REMINDER_DAYS_BEFORE == 3  # the default
    session = SessionFactory(days=[10])
    placed(session=session)
    three_days_before = session.starts_at - datetime.timedelta(days=3)
    assert send(now=three_days_before - datetime.timedelta(minutes=1)) == 0
    assert send(now=three_days_before) == 1
    assert len(mail.outbox) == 1


def test_no_reminder_for_a_session_further_away(send):
    placed(session=SessionFactory(days=[5]))
    assert send() == 0
    assert mail.outbox == []


def test_reminder_days_before_comes_from_the_settings(send, settings):
    near, far = SessionFactory(days=[1]), SessionFactory(days=[5])
    placed(session=near)
    person = placed(session=far)
    settings.REMINDER_DAYS_BEFORE = 0
    assert send() == 0
    settings.REMINDER_DAYS_BEFORE = 6
    assert send() == 2
    assert person.email in recipients()


def test_reminder_is_in_the_language_of_the_person(send):
    session = SessionFactory(days=[2], course=CourseFactory(title="Archiefwet"))
    dutch = placed(session=session)
    english = placed(session=session, language="en")
    send()
    by_address = {message.to[0]: message for message in mail.outbox}
    assert by_address[dutch.email].subject.startswith("Herinnering: Archiefwet op ")
    assert "Een herinnering: binnenkort begint" in text_of(by_address[dutch.email])
    assert by_address[english.email].subject.startswith("Reminder: Archiefwet on ")
    body = text_of(by_address[english.email])
    assert "A reminder: the training you are enrolled for starts soon." in body
    assert "View or cancel your enrolment" in body
    assert "herinnering" not in body.lower()


def test_reminder_carries_the_calendar_file_to_publish(send):
    session = SessionFactory(days=[2, 3])
    placed(session=session)
    send()
    (part,) = [
        p for p in as_received(mail.outbox[0]).walk() if p.get_content_type() == "text/calendar"
    ]
    assert part["Content-Type"].params["method"] == "PUBLISH"
    calendar = Calendar.from_ical(part.get_payload(decode=True))
    assert str(calendar["METHOD"]) == "PUBLISH"
    assert len(list(calendar.walk("VEVENT"))) == 2


def test_reminder_has_the_self_service_link(send):
    person = placed(session=SessionFactory(days=[2]))
    send()
    # The link is signed with a timestamp: compare whom it opens, not its characters.
    text, html = text_of(mail.outbox[0]), html_of(mail.outbox[0])
    token = re.search(r"http://testserver/inschrijving/([^/\s]+)/", text).group(1)
    assert enrolment_from_token(token).pk == person.pk
    assert f'href="http://testserver/inschrijving/{token}/"' in html


def test_reminder_of_a_session_at_a_venue_gives_its_address(send):
    venue = LocationFactory(name="Bibliotheek Neude", street_address="Neude 11", city="Utrecht")
    placed(session=SessionFactory(days=[2], location=venue))
    send()
    for body in (text_of(mail.outbox[0]), html_of(mail.outbox[0])):
        assert "Bibliotheek Neude, Neude 11, 3512 AA Utrecht" in body
        assert "online mee via" not in body


def test_reminder_of_an_online_session_gives_the_link(send):
    online = LocationFactory(is_online=True, name="Teams", city="", street_address="")
    session = SessionFactory(days=[2], location=online, online_url="https://meet.example/abc")
    placed(session=session)
    send()
    for body in (text_of(mail.outbox[0]), html_of(mail.outbox[0])):
        assert "Je doet online mee via: https://meet.example/abc" in body
        assert "Neude" not in body


def test_reminder_gives_the_practical_information_of_the_course(send):
    course = CourseFactory(practical_info="Neem je laptop mee.\n\nLunch is inbegrepen.")
    placed(session=SessionFactory(days=[2], course=course))
    placed(session=SessionFactory(days=[2]))
    send()
    with_info, without = sorted(mail.outbox, key=lambda m: "laptop" not in m.body)
    assert "Praktisch\nNeem je laptop mee." in text_of(with_info)
    assert "<p>Neem je laptop mee.</p>" in html_of(with_info)
    assert "Praktisch" not in text_of(without)


def count_queries(**kwargs) -> tuple[int, list[str]]:
    with CaptureQueriesContext(connection) as queries:
        jobs.send_reminders(**kwargs)
    return len(queries), [q["sql"].split()[0] for q in queries]


def test_reminder_queries_grow_only_by_one_insert_per_mail(django_assert_max_num_queries):
    placed(session=SessionFactory(days=[2]))
    one, _ = count_queries()
    QueuedEmail.objects.all().delete()
    for _session in range(3):
        session = SessionFactory(days=[1, 2])
        for _person in range(3):
            placed(session=session)
    many, statements = count_queries()
    assert many - one == 8  # nine mails: eight more INSERTs than for one
    assert statements.count("INSERT") == 9 and statements.count("UPDATE") == 1
    assert QueuedEmail.objects.filter(kind="reminder").count() == 9
    # Pinned: claim, days, one INSERT per mail, the UPDATE and the savepoints around them.
    placed(session=SessionFactory(days=[2]))
    with django_assert_max_num_queries(one):
        assert jobs.send_reminders() == 1


# Two workers at once ---------------------------------------------------------------------


def in_thread(target) -> threading.Thread:
    def run():
        try:
            target()
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_workers_running_the_job_at_once_remind_each_person_once():
    sessions = [SessionFactory(days=[2], capacity=10) for _ in range(3)]
    people = [placed(session=session) for session in sessions for _ in range(8)]
    barrier, counts = threading.Barrier(2), []

    def job():
        barrier.wait(timeout=30)
        counts.append(jobs.send_reminders())

    for thread in [in_thread(job), in_thread(job)]:
        thread.join(timeout=120)
    assert len(counts) == 2 and sum(counts) == len(people)
    queued = list(QueuedEmail.objects.filter(kind="reminder").values_list("to", flat=True))
    assert sorted(queued) == sorted(person.email for person in people)
    assert recipients() == sorted(person.email for person in people)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_second_worker_skips_the_people_the_first_has_claimed():
    """The first worker holds its claimed rows while the second runs the whole job."""
    people = [placed(session=SessionFactory(days=[2])) for _ in range(4)]
    claimed, second_done = threading.Event(), threading.Event()
    counts = {}
    queue_notice = jobs.queue_notice

    def held(*args, **kwargs):
        if not claimed.is_set():
            claimed.set()
            assert second_done.wait(timeout=30)
        return queue_notice(*args, **kwargs)

    def first():
        counts["first"] = jobs.send_reminders()

    def second():
        assert claimed.wait(timeout=30)
        try:
            counts["second"] = jobs.send_reminders()
        finally:
            second_done.set()

    with mock.patch.object(jobs, "queue_notice", held):
        threads = [in_thread(first), in_thread(second)]
        for thread in threads:
            thread.join(timeout=120)
    assert counts == {"first": 4, "second": 0}
    assert recipients() == sorted(person.email for person in people)


def test_no_reminder_for_a_place_taken_inside_the_window(send):
    """Their confirmation, just sent, says it all: no reminder a minute later."""
    session = SessionFactory(days=[2], capacity=2)
    early = placed(session=session)
    window_opened = session.starts_at - datetime.timedelta(days=3)
    EnrolmentFactory(session=session, created_at=window_opened + datetime.timedelta(hours=1))
    assert send() == 1
    assert recipients() == [early.email]


def test_no_reminder_for_someone_moved_up_inside_the_window(send):
    session = SessionFactory(days=[2], capacity=1)
    first = placed(session=session)
    waiting = placed(session=session, status=W)
    services.enrolment_cancel(enrolment_id=first.pk, reason="ziek")
    waiting.refresh_from_db()
    assert waiting.status == R and waiting.promoted_at is not None
    assert send() == 0
