"""Sessions as iCalendar (RFC 5545): one event per session day, in the venue's time zone."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from functools import lru_cache
from urllib.parse import urlsplit

from django.conf import settings
from icalendar import Calendar, Event, Timezone

from trainings.models import Session

STATUS = {
    Session.Status.SCHEDULED: "TENTATIVE",
    Session.Status.CONFIRMED: "CONFIRMED",
    Session.Status.CANCELLED: "CANCELLED",
}


def _host() -> str:
    return urlsplit(settings.SITE_URL).hostname or "trainingscatalogus"


def session_events(session: Session) -> list[Event]:
    """Events for each day of a session (expects days and location loaded)."""
    url = settings.SITE_URL + session.course.get_absolute_url()
    location = session.location
    where = "Online" if location.is_online else location.one_line_address
    days = list(session.days.all())
    events = []
    for number, day in enumerate(days, start=1):
        event = Event()
        event.add("uid", f"session-{session.pk}-day-{day.date:%Y%m%d}@{_host()}")
        event.add("dtstamp", datetime.datetime.now(datetime.UTC))
        event.add("dtstart", day.starts_at)
        event.add("dtend", day.ends_at)
        title = session.course.title
        if len(days) > 1:
            title = f"{title} (dag {number} van {len(days)})"
        event.add("summary", title)
        event.add("location", where)
        event.add("url", url)
        event.add("description", f"{session.course.summary}\n\n{url}")
        event.add("status", STATUS[session.status])
        events.append(event)
    return events


@lru_cache(maxsize=8)
def _vtimezone(tzid: str) -> Timezone:
    """The VTIMEZONE for a zone: worked out once per process (it costs milliseconds).

    icalendar puts a COMMENT on the VTIMEZONE itself, which RFC 5545 does not allow there
    (libical refuses the whole file), so it goes."""
    timezone = Timezone.from_tzid(tzid)
    timezone.pop("COMMENT", None)
    return timezone


def add_timezones(calendar: Calendar) -> None:
    """Calendar.add_missing_timezones(), from the per-process copies."""
    for tzid in sorted(calendar.get_missing_tzids()):
        calendar.subcomponents.insert(0, _vtimezone(tzid))


def calendar_bytes(
    sessions: Iterable[Session], name: str = "Trainingscatalogus", method: str | None = None
) -> bytes:
    """A VCALENDAR of the sessions' days. `method` (PUBLISH, CANCEL) is for mail (RFC 6047):
    the MIME part's method parameter must then say the same."""
    calendar = Calendar()
    calendar.add("prodid", "-//Trainingscatalogus//NL")
    calendar.add("version", "2.0")
    if method:
        calendar.add("method", method)
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    for session in sessions:
        for event in session_events(session):
            calendar.add_component(event)
    add_timezones(calendar)
    return calendar.to_ical()
