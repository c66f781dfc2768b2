"""Calendars (RFC 5545), JSON-LD, Open Graph, sitemap, robots.txt and the Atom feed."""

import datetime
import json
import re
import xml.etree.ElementTree as ElementTree

import pytest
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from tests.factories import (
    CourseFactory,
    EnrolmentFactory,
    LocationFactory,
    PriceFactory,
    ProviderFactory,
    SessionFactory,
    ThemeFactory,
)
from trainings.models import Price, Session

pytestmark = pytest.mark.django_db


def parse_ics(response) -> Calendar:
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return Calendar.from_ical(response.content)


def events(calendar: Calendar) -> list:
    return list(calendar.walk("VEVENT"))


def test_one_session_as_icalendar(client):
    today = timezone.localdate()
    first = today + datetime.timedelta(days=20)
    session = SessionFactory(
        course=CourseFactory(title="Didactische vaardigheden"),
        location=LocationFactory(
            name="Leslokaal", street_address="Straat 1", postal_code="1015 RZ", city="Amsterdam"
        ),
        days=[
            (first, datetime.time(9, 30), datetime.time(16, 30)),
            (first + datetime.timedelta(days=7), datetime.time(9, 30), datetime.time(16, 30)),
        ],
    )
    calendar = parse_ics(client.get(reverse("catalogue:session-calendar", args=[session.pk])))
    assert calendar["VERSION"] == "2.0" and calendar["PRODID"]
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Europe/Amsterdam"]
    assert "COMMENT" not in calendar.walk("VTIMEZONE")[0]  # libical refuses it there
    assert "METHOD" not in calendar  # a feed, not a message (RFC 5546)
    day_one, day_two = events(calendar)
    start = day_one.decoded("DTSTART")
    assert (start.date(), start.hour, start.minute) == (first, 9, 30)
    assert str(start.tzinfo) == "Europe/Amsterdam"
    assert day_one["DTSTART"].params["TZID"] == "Europe/Amsterdam"
    assert str(day_one["SUMMARY"]) == "Didactische vaardigheden (dag 1 van 2)"
    assert str(day_one["LOCATION"]) == "Leslokaal, Straat 1, 1015 RZ Amsterdam"
    assert str(day_one["URL"]).endswith(session.course.get_absolute_url())
    assert str(day_one["STATUS"]) == "TENTATIVE"
    assert day_one["UID"] != day_two["UID"]
    # Same UID on every download, so calendars update the event instead of doubling it.
    again = events(parse_ics(client.get(reverse("catalogue:session-calendar", args=[session.pk]))))
    assert [e["UID"] for e in again] == [day_one["UID"], day_two["UID"]]


def test_brussels_session_in_brussels_time_and_cancelled_status(client):
    session = SessionFactory(
        location=LocationFactory(city="Brussel", country="BE"), status=Session.Status.CANCELLED
    )
    calendar = parse_ics(client.get(reverse("catalogue:session-calendar", args=[session.pk])))
    (event,) = events(calendar)
    assert event["DTSTART"].params["TZID"] == "Europe/Brussels"
    assert str(event["STATUS"]) == "CANCELLED"


def test_online_session_location(client):
    session = SessionFactory(
        location=LocationFactory(name="Online", city="", is_online=True),
        status=Session.Status.CONFIRMED,
    )
    (event,) = events(
        parse_ics(client.get(reverse("catalogue:session-calendar", args=[session.pk])))
    )
    assert str(event["LOCATION"]) == "Online" and str(event["STATUS"]) == "CONFIRMED"


def test_calendar_feed_filters_like_the_catalogue(client):
    ido = ThemeFactory(slug="ido", name="IDO")
    privacy = CourseFactory(slug="privacy", theme=ido)
    other = CourseFactory(slug="ander")
    SessionFactory(course=privacy, location=LocationFactory(city="Utrecht"))
    SessionFactory(course=privacy, location=LocationFactory(city="Zwolle"))
    SessionFactory(course=other, location=LocationFactory(city="Utrecht"))
    SessionFactory(course=privacy, days=[-3])  # past: not in the feed
    url = reverse("catalogue:calendar")
    assert len(events(parse_ics(client.get(url)))) == 3
    assert len(events(parse_ics(client.get(url, {"course": "privacy"})))) == 2
    assert len(events(parse_ics(client.get(url, {"theme": "ido"})))) == 2
    assert len(events(parse_ics(client.get(url, {"city": "utrecht"})))) == 2
    assert len(events(parse_ics(client.get(url, {"course": "privacy", "city": "Zwolle"})))) == 1
    assert len(events(parse_ics(client.get(url, {"course": "bestaat-niet"})))) == 0


def test_unpublished_course_has_no_calendar(client):
    session = SessionFactory(course=CourseFactory(is_published=False))
    assert client.get(reverse("catalogue:session-calendar", args=[session.pk])).status_code == 404


def test_course_page_offers_add_to_calendar_per_session(client):
    session = SessionFactory()
    html = client.get(session.course.get_absolute_url()).content.decode()
    assert reverse("catalogue:session-calendar", args=[session.pk]) in html
    assert "Toevoegen aan agenda" in html
    assert f"{reverse('catalogue:calendar')}?course={session.course.slug}" in html


def json_ld(html: str) -> dict:
    match = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    return json.loads(match.group(1))


def test_course_json_ld(client):
    course = CourseFactory(
        title="Digitale ongelijkheden", level="basis", providers=[ProviderFactory(name="GSOB")]
    )
    PriceFactory(course=course, kind=Price.Kind.PER_PARTICIPANT, amount="25.00")
    PriceFactory(
        course=course,
        kind=Price.Kind.FREE_UNDER_CONDITION,
        amount=None,
        condition="Voor Brusselse besturen",
    )
    PriceFactory(course=course, kind=Price.Kind.CUSTOM_SESSION, amount=None)
    open_session = SessionFactory(
        course=course,
        capacity=20,
        trainer="CABAN",
        location=LocationFactory(city="Brussel", country="BE"),
    )
    EnrolmentFactory(session=open_session)
    SessionFactory(course=course, status=Session.Status.CANCELLED, days=[30])
    data = json_ld(client.get(course.get_absolute_url()).content.decode())
    assert data["@context"] == "https://schema.org" and data["@type"] == "Course"
    assert data["name"] == "Digitale ongelijkheden"
    assert data["provider"] == [{"@type": "Organization", "name": "GSOB"}]
    offers = {offer["name"]: offer for offer in data["offers"]}
    assert offers["Prijs per deelnemer"]["category"] == "Paid"
    assert offers["Prijs per deelnemer"]["price"] == "25.00"
    assert offers["Gratis onder voorwaarde"]["category"] == "Free"
    assert len(data["offers"]) == 3
    first, cancelled = data["hasCourseInstance"]
    assert first["@type"] == "CourseInstance" and first["courseMode"] == "Onsite"
    assert first["courseWorkload"] == "PT3H"
    assert first["maximumAttendeeCapacity"] == 20 and first["remainingAttendeeCapacity"] == 19
    assert first["eventStatus"] == "https://schema.org/EventScheduled"
    assert first["location"]["address"]["addressLocality"] == "Brussel"
    assert datetime.datetime.fromisoformat(first["startDate"])
    assert cancelled["eventStatus"] == "https://schema.org/EventCancelled"


def test_json_ld_cannot_be_broken_out_of(client):
    course = CourseFactory(title="</script><script>alert(1)</script>")
    html = client.get(course.get_absolute_url()).content.decode()
    assert "</script><script>alert(1)" not in html
    assert json_ld(html)["name"] == "</script><script>alert(1)</script>"


def test_catalogue_item_list_and_open_graph(client):
    for title in ["Alpha", "Beta"]:
        CourseFactory(title=title)
    html = client.get(reverse("catalogue:course-list")).content.decode()
    data = json_ld(html)
    assert data["@type"] == "ItemList" and data["numberOfItems"] == 2
    assert [item["name"] for item in data["itemListElement"]] == ["Alpha", "Beta"]
    assert data["itemListElement"][0]["position"] == 1
    course_page = client.get(reverse("catalogue:course-detail", args=["alpha"])).content.decode()
    assert '<meta property="og:title" content="Alpha">' in course_page
    assert '<meta property="og:type" content="article">' in course_page
    assert '<link rel="canonical" href="http://testserver/trainingen/alpha/">' in course_page


def test_sitemap_and_robots(client):
    course = CourseFactory()
    CourseFactory(is_published=False, slug="concept")
    sitemap = client.get("/sitemap.xml").content.decode()
    assert f"http://testserver{course.get_absolute_url()}" in sitemap
    assert "/trainingen/concept/" not in sitemap
    robots = client.get("/robots.txt").content.decode()
    assert "Disallow: /admin/" in robots
    assert "Sitemap: http://testserver/sitemap.xml" in robots


def test_atom_feed_of_new_sessions(client):
    session = SessionFactory(course=CourseFactory(title="Privacy in het IDO"))
    SessionFactory(status=Session.Status.CANCELLED)
    response = client.get(reverse("catalogue:new-sessions-feed"))
    assert response["Content-Type"].startswith("application/atom+xml")
    root = ElementTree.fromstring(response.content)
    atom = "{http://www.w3.org/2005/Atom}"
    entries = root.findall(f"{atom}entry")
    assert len(entries) == 1
    assert entries[0].find(f"{atom}title").text.startswith("Privacy in het IDO — ")
    link = entries[0].find(f"{atom}link").get("href")
    assert link.endswith(f"{session.course.get_absolute_url()}#sessie-{session.pk}")
    html = client.get("/").content.decode()
    assert 'type="application/atom+xml"' in html
