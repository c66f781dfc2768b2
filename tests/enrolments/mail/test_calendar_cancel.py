"""A cancellation or a new schedule reaches the calendar people imported from their mail:
METHOD:CANCEL (RFC 5546 3.2.5) with the invitation's UIDs and a higher SEQUENCE, and a
METHOD:PUBLISH update when days move or go; the MIME part says the same method (RFC 6047)."""

import datetime
import email
import email.policy

import pytest
from django.core import mail
from django.urls import reverse
from icalendar import Calendar

from enrolments.models import Enrolment, QueuedEmail
from enrolments.places import decisions, services, substitution
from enrolments.places.tokens import self_service_path
from tests.enrolments.admin.test_enrolments import adviser, session_change_data  # noqa: F401
from tests.enrolments.mail.test_calendar_attachments import as_received, check_calendar_part
from tests.factories import CourseFactory, SessionFactory
from tests.mail_servers import smtp_inbox

pytestmark = pytest.mark.django_db


@pytest.fixture
def inbox():
    with smtp_inbox() as box:
        yield box


def enrol(session, address, language="nl"):
    return services.enrolment_create(
        session_id=session.pk,
        first_name="Anna",
        last_name="Jansen",
        email=address,
        organisation="Bibliotheek Utrecht",
        language=language,
    ).enrolment


def calendars(received) -> list[Calendar]:
    """Each text/calendar part, checked: its method parameter is the VCALENDAR's METHOD."""
    return [
        check_calendar_part(part)
        for part in received.walk()
        if part.get_content_type() == "text/calendar"
    ]


def mails_to(address: str) -> list:
    return [as_received(message) for message in mail.outbox if message.to == [address]]


def events(calendar: Calendar) -> dict:
    return {str(event["UID"]): event for event in calendar.walk("VEVENT")}


def invitation(address: str) -> dict:
    """The events of the calendar file in the first mail to `address` (the invitation)."""
    (calendar,) = calendars(mails_to(address)[0])
    assert str(calendar["METHOD"]) == "PUBLISH"
    return events(calendar)


def assert_cancels(calendar: Calendar, invited: dict, attendee: str) -> None:
    """A CANCEL for exactly the invited events, each newer than what the person has."""
    assert str(calendar["METHOD"]) == "CANCEL"
    cancelled = events(calendar)
    assert set(cancelled) == set(invited)
    for uid, event in cancelled.items():
        assert str(event["STATUS"]) == "CANCELLED"
        assert event["SEQUENCE"] > invited[uid]["SEQUENCE"]
        assert str(event["ATTENDEE"]) == f"mailto:{attendee}"
        assert str(event["ORGANIZER"]).startswith("mailto:")


@pytest.fixture
def outbox_now(django_capture_on_commit_callbacks):
    """Send every mail queued inside the block when it ends (as after a commit)."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def test_self_service_cancellation_cancels_the_invitation(client, outbox_now):
    session = SessionFactory(days=[10, 17])
    with outbox_now():
        anna = enrol(session, "anna@example.org")
    invited = invitation("anna@example.org")
    assert len(invited) == 2
    with outbox_now():
        response = client.post(self_service_path(anna), {"reason": "Ziek"})
    assert response.status_code == 302
    cancellation = mails_to("anna@example.org")[-1]
    assert cancellation["Subject"].startswith("Je inschrijving is geannuleerd")
    (calendar,) = calendars(cancellation)
    assert_cancels(calendar, invited, "anna@example.org")
    assert "haal je de sessie uit je agenda" in cancellation.get_body(("plain",)).get_content()


def test_enrolling_again_after_cancelling_sends_a_newer_invitation(outbox_now):
    """A calendar ignores an invitation older than the cancellation it has for the event."""
    session = SessionFactory()
    with outbox_now():
        anna = enrol(session, "anna@example.org")
    invited = invitation("anna@example.org")
    with outbox_now():
        services.enrolment_cancel(enrolment_id=anna.pk, self_service=True)
        enrol(session, "anna@example.org")
    _first, cancellation, again = mails_to("anna@example.org")
    (cancel,) = calendars(cancellation)
    assert_cancels(cancel, invited, "anna@example.org")
    (publish,) = calendars(again)
    (uid,) = invited
    assert events(publish)[uid]["SEQUENCE"] > events(cancel)[uid]["SEQUENCE"]
    # An invitation again, not the cancelled event.
    assert str(events(publish)[uid]["STATUS"]) != "CANCELLED"


def test_admin_cancellation_cancels_the_invitation(client, adviser, outbox_now):  # noqa: F811
    session = SessionFactory()
    with outbox_now():
        anna = enrol(session, "anna@example.org")
    invited = invitation("anna@example.org")
    with outbox_now():
        client.post(
            reverse("admin:enrolments_enrolment_changelist"),
            {"action": "cancel", "_selected_action": [anna.pk], "confirm": "1", "reason": "Dubbel"},
        )
    anna.refresh_from_db()
    assert anna.status == Enrolment.Status.CANCELLED
    (calendar,) = calendars(mails_to("anna@example.org")[-1])
    assert_cancels(calendar, invited, "anna@example.org")


def test_a_person_on_the_waiting_list_gets_no_calendar_file_when_cancelling(outbox_now):
    session = SessionFactory(capacity=1)
    with outbox_now():
        enrol(session, "anna@example.org")
        bram = enrol(session, "bram@example.org")
    assert bram.status == Enrolment.Status.WAITLISTED
    with outbox_now():
        services.enrolment_cancel(enrolment_id=bram.pk, reason="", self_service=True)
    waitlisted, cancelled = mails_to("bram@example.org")
    assert calendars(waitlisted) == [] and calendars(cancelled) == []
    assert cancelled["Subject"].startswith("Je inschrijving is geannuleerd")
    assert "agenda" not in cancelled.get_body(("plain",)).get_content()


def test_the_person_who_hands_over_their_place_gets_a_cancel(outbox_now):
    session = SessionFactory(days=[10, 17])
    with outbox_now():
        anna = enrol(session, "anna@example.org")
    invited = invitation("anna@example.org")
    with outbox_now():
        substitution.enrolment_substitute(
            enrolment_id=anna.pk,
            person=services.Person("Carla", "de Wit", "carla@example.org"),
            self_service=True,
        )
    (calendar,) = calendars(mails_to("anna@example.org")[-1])
    assert_cancels(calendar, invited, "anna@example.org")
    # The colleague gets the same events as an invitation, in their own calendar.
    assert set(invitation("carla@example.org")) == set(invited)


def test_a_cancelled_session_cancels_everyone_with_a_place_and_spares_the_waiting_list(
    client,
    adviser,  # noqa: F811
    outbox_now,
):
    session = SessionFactory(capacity=1, days=[10, 17])
    with outbox_now():
        enrol(session, "anna@example.org")
        enrol(session, "bram@example.org")  # waiting list
    invited = invitation("anna@example.org")
    with outbox_now():
        client.post(
            reverse("admin:trainings_session_changelist"),
            {
                "action": "cancel",
                "_selected_action": [session.pk],
                "confirm": "1",
                "reason": "Trainer ziek",
            },
        )
    anna_mail = mails_to("anna@example.org")[-1]
    assert anna_mail["Subject"].startswith("Geannuleerd:")
    (calendar,) = calendars(anna_mail)
    assert_cancels(calendar, invited, "anna@example.org")
    bram_mail = mails_to("bram@example.org")[-1]
    assert bram_mail["Subject"].startswith("Geannuleerd:")
    assert calendars(bram_mail) == []
    # The feed says the same, at the same new version: no calendar keeps the old event.
    feed = Calendar.from_ical(
        client.get(reverse("catalogue:session-calendar", args=[session.pk])).content
    )
    for uid, event in events(feed).items():
        assert str(event["STATUS"]) == "CANCELLED"
        assert event["SEQUENCE"] == events(calendar)[uid]["SEQUENCE"]


def test_a_session_cancelled_at_the_deadline_also_cancels_the_invitation(outbox_now):
    session = SessionFactory(min_participants=3)
    with outbox_now():
        enrol(session, "anna@example.org")
    invited = invitation("anna@example.org")
    with outbox_now():
        assert decisions.session_decide(session_id=session.pk, now=session.starts_at) == "cancelled"
    (calendar,) = calendars(mails_to("anna@example.org")[-1])
    assert_cancels(calendar, invited, "anna@example.org")


def test_a_moved_day_updates_the_calendar_of_everyone_with_a_place(
    client,
    adviser,  # noqa: F811
    outbox_now,
):
    session = SessionFactory(capacity=1, days=[10, 17])
    with outbox_now():
        enrol(session, "anna@example.org")
        enrol(session, "bram@example.org")  # waiting list
    invited = invitation("anna@example.org")
    first, second = session.days.all()
    moved = first.date + datetime.timedelta(days=1)
    url = reverse("admin:trainings_session_change", args=[session.pk])
    with outbox_now():
        response = client.post(
            url,
            session_change_data(
                session,
                **{
                    "days-0-date": moved.isoformat(),
                    "days-0-start_time": "13:00",
                    "days-0-end_time": "16:00",
                },
            ),
            follow=True,
        )
    assert "1 deelnemer krijgt een e-mail" in response.content.decode()
    update = mails_to("anna@example.org")[-1]
    assert update["Subject"] == f"Nieuwe planning: {session.course.title}"
    (calendar,) = calendars(update)
    assert str(calendar["METHOD"]) == "PUBLISH"
    updated = events(calendar)
    assert set(updated) == set(invited)
    uid = f"sessionday-{first.pk}@testserver"
    assert updated[uid]["SEQUENCE"] > invited[uid]["SEQUENCE"]
    assert updated[uid].decoded("DTSTART").date() == moved
    assert updated[uid].decoded("DTSTART").hour == 13
    untouched = f"sessionday-{second.pk}@testserver"
    assert updated[untouched]["SEQUENCE"] == invited[untouched]["SEQUENCE"]
    text = update.get_body(("plain",)).get_content()
    assert "is gewijzigd" in text and "13:00" in text
    # The waiting list never had the event and is not mailed about it.
    assert len(mails_to("bram@example.org")) == 1
    assert QueuedEmail.objects.filter(kind="session_changed").count() == 1


def test_a_removed_day_is_cancelled_in_the_update_in_the_persons_language(
    client,
    adviser,  # noqa: F811
    outbox_now,
):
    session = SessionFactory(course=CourseFactory(title="Archiefwet"), days=[10, 17])
    with outbox_now():
        enrol(session, "jan@example.be", language="en")
    invited = invitation("jan@example.be")
    first, second = session.days.all()
    url = reverse("admin:trainings_session_change", args=[session.pk])
    with outbox_now():
        response = client.post(url, session_change_data(session, **{"days-1-DELETE": "on"}))
    assert response.status_code == 302
    assert list(session.days.all()) == [first]
    update = mails_to("jan@example.be")[-1]
    assert update["Subject"] == "New schedule: Archiefwet"
    text = update.get_body(("plain",)).get_content()
    assert text.startswith("Dear Anna,")
    assert "These days are cancelled:" in text and "calendar files" in text
    publish, cancel = calendars(update)
    assert str(publish["METHOD"]) == "PUBLISH"
    assert set(events(publish)) == {f"sessionday-{first.pk}@testserver"}
    gone = f"sessionday-{second.pk}@testserver"
    assert_cancels(cancel, {gone: invited[gone]}, "jan@example.be")


def test_a_cancellation_sent_over_smtp_carries_the_cancel(
    client,
    settings,
    inbox,
    outbox_now,
):
    """Through the public self-service page and Django's SMTP backend to a real SMTP server
    on loopback: the message as received has a text/calendar; method=CANCEL part."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", inbox.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    session = SessionFactory(days=[10, 17])
    with outbox_now():
        anna = enrol(session, "anna@example.org")
    ((recipients, received),) = inbox.wait_for(1)
    (invitation_calendar,) = calendars(received)
    invited = events(invitation_calendar)
    with outbox_now():
        response = client.post(self_service_path(anna), {"reason": "Ziek"})
    assert response.status_code == 302
    messages = inbox.wait_for(2)
    assert len(messages) == 2
    recipients, received = messages[1]
    assert recipients == ["anna@example.org"]
    # Parsed from the bytes on the wire, not from Django's message object.
    received = email.message_from_bytes(received.as_bytes(), policy=email.policy.default)
    (part,) = [p for p in received.walk() if p.get_content_type() == "text/calendar"]
    assert part.get_param("method") == "CANCEL"
    assert part.get_filename().endswith(".ics")
    assert_cancels(check_calendar_part(part), invited, "anna@example.org")
    assert QueuedEmail.objects.filter(status=QueuedEmail.Status.SENT).count() == 2
