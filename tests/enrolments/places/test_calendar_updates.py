"""Calendars that people imported follow the session: stable UIDs, a higher SEQUENCE on every
change, updates when a day moves or the place changes, CANCEL when a place or session goes."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from tests.enrolments.admin.test_enrolments import adviser, session_change_data  # noqa: F401
from tests.factories import LocationFactory, SessionFactory
from trainings.models import SessionDay

pytestmark = pytest.mark.django_db


def feed_events(client, session) -> dict:
    response = client.get(reverse("catalogue:session-calendar", args=[session.pk]))
    calendar = Calendar.from_ical(response.content)
    return {str(event["UID"]): event for event in calendar.walk("VEVENT")}


def test_moving_a_day_keeps_its_uid_and_raises_its_sequence(client, adviser):  # noqa: F811
    session = SessionFactory(days=[20, 27])
    first, second = session.days.all()
    # An earlier change, so the new LAST-MODIFIED is later even within the same second.
    an_hour_ago = timezone.now() - datetime.timedelta(hours=1)
    SessionDay.objects.filter(session=session).update(calendar_changed_at=an_hour_ago)
    before = feed_events(client, session)
    assert set(before) == {
        f"sessionday-{first.pk}@testserver",
        f"sessionday-{second.pk}@testserver",
    }
    moved = first.date + datetime.timedelta(days=1)
    url = reverse("admin:trainings_session_change", args=[session.pk])
    response = client.post(url, session_change_data(session, **{"days-0-date": moved.isoformat()}))
    assert response.status_code == 302
    after = feed_events(client, session)
    assert set(after) == set(before)  # the same events, not new ones beside the old
    day = after[f"sessionday-{first.pk}@testserver"]
    assert day.decoded("DTSTART").date() == moved
    assert day["SEQUENCE"] == before[f"sessionday-{first.pk}@testserver"]["SEQUENCE"] + 1
    assert day.decoded("LAST-MODIFIED") > before[f"sessionday-{first.pk}@testserver"].decoded(
        "LAST-MODIFIED"
    )
    untouched = f"sessionday-{second.pk}@testserver"
    assert after[untouched]["SEQUENCE"] == before[untouched]["SEQUENCE"] == 0


def test_a_new_place_raises_the_sequence_of_every_day(client, adviser):  # noqa: F811
    session = SessionFactory(days=[20, 27])
    url = reverse("admin:trainings_session_change", args=[session.pk])
    other = LocationFactory(city="Zwolle")
    response = client.post(url, session_change_data(session, location=other.pk))
    assert response.status_code == 302
    assert [event["SEQUENCE"] for event in feed_events(client, session).values()] == [1, 1]


def test_saving_without_changes_leaves_the_sequence_alone(client, adviser):  # noqa: F811
    session = SessionFactory(days=[20])
    url = reverse("admin:trainings_session_change", args=[session.pk])
    assert client.post(url, session_change_data(session)).status_code == 302
    assert [event["SEQUENCE"] for event in feed_events(client, session).values()] == [0]
