"""Sessions as iCalendar (RFC 5545): one event per session day, in the venue's time zone."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from email.utils import parseaddr
from functools import lru_cache
from urllib.parse import urlsplit

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from icalendar import Calendar, Event, Timezone, vCalAddress

from trainings.models import Session, SessionDay

STATUS = {
    Session.Status.SCHEDULED: "TENTATIVE",
    Session.Status.CONFIRMED: "CONFIRMED",
    Session.Status.CANCELLED: "CANCELLED",
}


def _host() -> str:
    return urlsplit(settings.SITE_URL).hostname or "trainingscatalogus"


def day_uid(day: SessionDay) -> str:
    """One UID per session day for its whole life: moving the day keeps the event."""
    return f"sessionday-{day.pk}@{_host()}"


def _organizer() -> vCalAddress:
    name, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    organizer = vCalAddress(f"mailto:{address}")
    organizer.params["cn"] = name or "Trainingscatalogus"
    return organizer


def day_event(
    session: Session,
    day: SessionDay,
    *,
    number: int = 1,
    count: int = 1,
    stamp: datetime.datetime | None = None,
    status: str | None = None,
    sequence_step: int = 0,
) -> Event:
    """The event for one day. `stamp` is DTSTAMP: when a message was made (mail) or, in a
    feed, when the day last changed (RFC 5545 3.8.7.2)."""
    url = settings.SITE_URL + session.course.get_absolute_url()
    location = session.location
    event = Event()
    event.add("uid", day_uid(day))
    event.add("sequence", day.calendar_sequence + sequence_step)
    event.add("dtstamp", stamp or day.calendar_changed_at)
    event.add("last-modified", day.calendar_changed_at)
    event.add("dtstart", day.starts_at)
    event.add("dtend", day.ends_at)
    title = session.course.title
    if count > 1:
        title = _("%(title)s (dag %(number)s van %(count)s)") % {
            "title": title,
            "number": number,
            "count": count,
        }
    # The texts are in the language of the request or mail (RFC 5545 3.2.10).
    language = {"language": translation.get_language() or settings.LANGUAGE_CODE}
    event.add("summary", title, parameters=language)
    event.add("location", "Online" if location.is_online else location.one_line_address)
    event.add("url", url)
    event.add("description", f"{session.course.summary}\n\n{url}", parameters=language)
    event.add("status", status or STATUS[session.status])
    return event


def session_events(session: Session) -> list[Event]:
    """Events for each day of a session, as a feed shows them (expects days and location
    loaded)."""
    days = list(session.days.all())
    return [
        day_event(session, day, number=number, count=len(days))
        for number, day in enumerate(days, start=1)
    ]


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


def _calendar(name: str | None = None, method: str | None = None) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", "-//Trainingscatalogus//NL")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    if method:
        calendar.add("method", method)
    if name:
        calendar.add("x-wr-calname", name)
    return calendar


def calendar_bytes(sessions: Iterable[Session], name: str = "Trainingscatalogus") -> bytes:
    """A VCALENDAR of the sessions' days, for feeds and downloads (mail: publish_bytes)."""
    calendar = _calendar(name)
    for session in sessions:
        for event in session_events(session):
            calendar.add_component(event)
    add_timezones(calendar)
    return calendar.to_ical()


def publish_bytes(session: Session, days: Iterable[SessionDay]) -> bytes:
    """METHOD:PUBLISH of these days of one session, as they were when a mail was queued (the
    worker renders later; the SEQUENCE must be the one of that moment)."""
    calendar = _calendar(method="PUBLISH")
    stamp = datetime.datetime.now(datetime.UTC)
    days = list(days)
    for number, day in enumerate(days, start=1):
        event = day_event(session, day, number=number, count=len(days), stamp=stamp)
        event.add("organizer", _organizer())
        calendar.add_component(event)
    add_timezones(calendar)
    return calendar.to_ical()


def cancel_bytes(
    session: Session, days: Iterable[SessionDay], *, attendee: str, sequence_step: int = 1
) -> bytes:
    """METHOD:CANCEL for days someone had in their calendar (RFC 5546 3.2.5): same UIDs,
    STATUS:CANCELLED. `sequence_step` raises SEQUENCE above what they have when the days
    themselves did not change (one person's cancellation); 0 when the change already did."""
    calendar = _calendar(method="CANCEL")
    stamp = datetime.datetime.now(datetime.UTC)
    days = list(days)
    for number, day in enumerate(days, start=1):
        event = day_event(
            session,
            day,
            number=number,
            count=len(days),
            stamp=stamp,
            status="CANCELLED",
            sequence_step=sequence_step,
        )
        event.add("organizer", _organizer())
        event.add("attendee", f"mailto:{attendee}")
        calendar.add_component(event)
    add_timezones(calendar)
    return calendar.to_ical()
