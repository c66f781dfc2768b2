"""An address per language: Dutch unprefixed, /fr/… and /en/…; the first visit, the switcher,
hreflang, the sitemap, mails, and the formats of each language."""

import datetime
import json
import re
import xml.etree.ElementTree as ElementTree
from decimal import Decimal

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import formats, translation
from icalendar import Calendar

from catalogue.languages import url_in_language
from catalogue.templatetags.catalogue_tags import euro
from enrolments.models import Enrolment, QueuedEmail
from tests.factories import CourseFactory, PriceFactory, SessionFactory
from tests.outbox import rendered

pytestmark = pytest.mark.django_db

FRENCH_BROWSER = "fr-BE,fr;q=0.9,nl;q=0.6,en;q=0.3"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
XHTML = "{http://www.w3.org/1999/xhtml}"


@pytest.fixture
def course():
    course = CourseFactory(slug="privacy-in-het-ido", title="Privacy in het IDO")
    PriceFactory(course=course, amount="1250.00")
    SessionFactory(course=course)
    return course


def vary(response) -> set[str]:
    return {part.strip() for part in response.get("Vary", "").split(",")}


@pytest.mark.parametrize("language", ["fr", "en"])
def test_a_prefixed_address_renders_in_its_language(client, course, language):
    response = client.get(f"/{language}/trainingen/privacy-in-het-ido/")
    assert response.status_code == 200
    assert response["Content-Language"] == language
    html = response.content.decode()
    assert f'<html lang="{language}">' in html
    # Links on the page stay in that language.
    assert f'href="/{language}/trainingen/"' in html


def test_an_unprefixed_address_stays_dutch_for_a_dutch_browser(client, course):
    response = client.get("/trainingen/", HTTP_ACCEPT_LANGUAGE="nl-BE,nl;q=0.9,fr;q=0.5")
    assert response.status_code == 200
    assert response["Content-Language"] == "nl"
    assert {"Accept-Language", "Cookie"} <= vary(response)


def test_a_browser_in_another_language_stays_on_dutch(client, course):
    response = client.get("/trainingen/", HTTP_ACCEPT_LANGUAGE="de-DE,de;q=0.9")
    assert response.status_code == 200 and response["Content-Language"] == "nl"


@pytest.mark.parametrize(
    ("accept", "language"),
    [(FRENCH_BROWSER, "fr"), ("en-GB,en;q=0.9", "en"), ("nl;q=0.4,fr;q=0.8", "fr")],
)
def test_first_visit_follows_a_browser_that_prefers_french_or_english(
    client, course, accept, language
):
    response = client.get("/trainingen/?q=privacy&page=1", HTTP_ACCEPT_LANGUAGE=accept)
    assert response.status_code == 302
    assert response["Location"] == f"/{language}/trainingen/?q=privacy&page=1"
    assert {"Accept-Language", "Cookie"} <= vary(response)


def test_a_cookie_saying_french_sends_the_visitor_to_french(client, course):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    response = client.get("/trainingen/privacy-in-het-ido/")
    assert response["Location"] == "/fr/trainingen/privacy-in-het-ido/"


def test_a_cookie_saying_dutch_keeps_dutch_for_a_french_browser(client, course):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "nl"
    response = client.get("/trainingen/", HTTP_ACCEPT_LANGUAGE=FRENCH_BROWSER)
    assert response.status_code == 200 and response["Content-Language"] == "nl"


def test_a_post_is_never_redirected(client, course):
    session = course.sessions.get()
    url = reverse("enrolments:enrol", args=[session.pk])
    response = client.post(url, {"first_name": ""}, HTTP_ACCEPT_LANGUAGE=FRENCH_BROWSER)
    assert response.status_code == 400  # the Dutch form, with its errors
    assert response["Content-Language"] == "nl"


def test_crawlers_and_pages_without_language_versions_are_left_alone(client, course):
    crawler = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"
    response = client.get("/", HTTP_ACCEPT_LANGUAGE=FRENCH_BROWSER, HTTP_USER_AGENT=crawler)
    assert response.status_code == 200
    for path in ("/robots.txt", "/sitemap.xml", "/healthz", "/bestaat-niet/"):
        response = client.get(path, HTTP_ACCEPT_LANGUAGE=FRENCH_BROWSER)
        assert response.status_code != 302, path
    admin = client.get("/admin/login/", HTTP_ACCEPT_LANGUAGE=FRENCH_BROWSER)
    assert admin.status_code == 200 and admin["Content-Language"] == "nl"


def test_the_switcher_keeps_the_page_both_ways(client, course):
    page = "/trainingen/privacy-in-het-ido/?tab=sessies"
    to_french = client.get("/taal/fr/", {"next": page})
    assert to_french["Location"] == "/fr/trainingen/privacy-in-het-ido/?tab=sessies"
    assert to_french.cookies[settings.LANGUAGE_COOKIE_NAME].value == "fr"
    to_english = client.get("/taal/en/", {"next": to_french["Location"]})
    assert to_english["Location"] == "/en/trainingen/privacy-in-het-ido/?tab=sessies"
    back = client.get("/taal/nl/", {"next": to_english["Location"]})
    assert back["Location"] == page
    assert back.cookies[settings.LANGUAGE_COOKIE_NAME].value == "nl"
    # Dutch is now the visitor's choice, whatever the browser says.
    response = client.get(page, HTTP_ACCEPT_LANGUAGE=FRENCH_BROWSER)
    assert response.status_code == 200 and response["Content-Language"] == "nl"


def test_the_switcher_offers_the_other_languages_with_their_own_names(client, course):
    html = client.get("/fr/trainingen/").content.decode()
    assert 'href="/taal/nl/?next=/fr/trainingen/" lang="nl" hreflang="nl"' in html
    assert 'href="/taal/en/?next=/fr/trainingen/" lang="en" hreflang="en"' in html
    assert 'href="/taal/fr/' not in html
    assert ">Nederlands</a>" in html and ">English</a>" in html
    assert ">Français</a>" in client.get("/trainingen/").content.decode()


@pytest.mark.parametrize("prefix", ["", "/fr", "/en"])
def test_every_language_version_names_all_of_them_with_absolute_addresses(client, course, prefix):
    html = client.get(f"{prefix}/trainingen/privacy-in-het-ido/").content.decode()
    alternates = dict(re.findall(r'<link rel="alternate" hreflang="([^"]+)" href="([^"]+)">', html))
    assert alternates == {
        "nl": "http://testserver/trainingen/privacy-in-het-ido/",
        "fr": "http://testserver/fr/trainingen/privacy-in-het-ido/",
        "en": "http://testserver/en/trainingen/privacy-in-het-ido/",
        "x-default": "http://testserver/trainingen/privacy-in-het-ido/",
    }


def test_alternates_of_the_catalogue_follow_its_canonical_address(client, course):
    html = client.get("/fr/trainingen/", {"format": "x", "order": "date"}).content.decode()
    assert '<link rel="alternate" hreflang="nl" href="http://testserver/trainingen/">' in html


def test_error_pages_have_no_alternates(client):
    response = client.get("/fr/bestaat-niet/")
    assert response.status_code == 404
    head = response.content.decode().split("</head>")[0]
    assert "hreflang" not in head


def test_the_sitemap_lists_every_language_version_with_alternates(client, course):
    root = ElementTree.fromstring(client.get("/sitemap.xml").content)
    locations = [url.findtext(f"{SITEMAP}loc") for url in root.iter(f"{SITEMAP}url")]
    for prefix in ("", "/fr", "/en"):
        assert f"http://testserver{prefix}/trainingen/privacy-in-het-ido/" in locations
        assert f"http://testserver{prefix}/toegankelijkheid/" in locations
    french = next(
        url
        for url in root.iter(f"{SITEMAP}url")
        if url.findtext(f"{SITEMAP}loc") == "http://testserver/fr/trainingen/privacy-in-het-ido/"
    )
    links = {link.get("hreflang"): link.get("href") for link in french.iter(f"{XHTML}link")}
    assert links == {
        "nl": "http://testserver/trainingen/privacy-in-het-ido/",
        "fr": "http://testserver/fr/trainingen/privacy-in-het-ido/",
        "en": "http://testserver/en/trainingen/privacy-in-het-ido/",
        "x-default": "http://testserver/trainingen/privacy-in-het-ido/",
    }


def test_robots_keeps_the_personal_pages_of_every_language_out(client):
    robots = client.get("/robots.txt").content.decode()
    for prefix in ("", "/fr", "/en"):
        assert f"Disallow: {prefix}/inschrijving/" in robots


def test_reverse_under_a_language_gives_its_prefix():
    with translation.override("fr"):
        assert reverse("enrolments:self-service", args=["abc"]) == "/fr/inschrijving/abc/"
        assert reverse("site:sitemap") == "/sitemap.xml"  # one address for all
        assert reverse("admin:index") == "/admin/"
    assert reverse("enrolments:self-service", args=["abc"]) == "/inschrijving/abc/"


def test_a_french_enrolment_gets_a_french_self_service_link_that_opens_in_french(
    client, course, django_capture_on_commit_callbacks
):
    session = course.sessions.get()
    person = {
        "first_name": "Camille",
        "last_name": "Dubois",
        "email": "camille@example.be",
        "organisation": "CPAS de Schaerbeek",
        "job_title": "",
        "privacy": "on",
        "website": "",
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/fr/sessies/{session.pk}/inschrijven/", person)
    assert response.status_code == 302
    assert Enrolment.objects.get().language == "fr"
    mail = rendered(QueuedEmail.objects.get(kind="registered"))
    assert mail.language == "fr"
    link = re.search(r"http://testserver(/fr/inschrijving/[^/\s]+/)", mail.body_text).group(1)
    page = client.get(link)
    assert page.status_code == 200
    assert page["Content-Language"] == "fr"
    assert '<html lang="fr">' in page.content.decode()
    assert "http://testserver/fr/trainingen/privacy-in-het-ido/" in mail.body_text


@pytest.mark.parametrize(
    ("language", "money", "date"),
    [
        ("nl", "€\xa01.250,00", "12 januari 2027"),
        ("fr", "1\xa0250,00\xa0€", "12 janvier 2027"),
        ("en", "€1,250.00", "12 January 2027"),
    ],
)
def test_money_dates_and_times_per_language(language, money, date):
    with translation.override(language):
        assert euro(Decimal("1250")) == money
        assert formats.date_format(datetime.date(2027, 1, 12), "j F Y") == date
        assert formats.time_format(datetime.time(9, 30), "H:i") == "09:30"


def test_french_course_page_shows_french_money(client, course):
    assert "1\xa0250,00\xa0€" in client.get("/fr/trainingen/privacy-in-het-ido/").content.decode()


def test_french_and_dutch_pages_do_not_share_a_cached_copy(client, course):
    assert '<html lang="nl">' in client.get("/trainingen/").content.decode()
    assert '<html lang="fr">' in client.get("/fr/trainingen/").content.decode()
    assert '<html lang="nl">' in client.get("/trainingen/").content.decode()


@pytest.mark.parametrize("language", ["nl", "fr", "en"])
def test_structured_data_feeds_and_calendars_carry_the_language(client, course, language):
    prefix = "" if language == "nl" else f"/{language}"
    page = client.get(f"{prefix}/trainingen/privacy-in-het-ido/").content.decode()
    data = json.loads(
        re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S).group(1)
    )
    assert data["inLanguage"] == language
    feed = ElementTree.fromstring(client.get(f"{prefix}/sessies/nieuw.atom").content)
    assert feed.get("{http://www.w3.org/XML/1998/namespace}lang") == language
    session = course.sessions.get()
    calendar = Calendar.from_ical(client.get(f"{prefix}/sessies/{session.pk}.ics").content)
    event = next(iter(calendar.walk("VEVENT")))
    assert event["SUMMARY"].params["LANGUAGE"] == language
    assert event["DESCRIPTION"].params["LANGUAGE"] == language


def test_url_in_language_leaves_addresses_without_versions_alone():
    assert url_in_language("/admin/", "fr") == "/admin/"
    assert url_in_language("/bestaat-niet/", "fr") == "/bestaat-niet/"
    assert url_in_language("/fr/leerlijnen/", "nl") == "/leerlijnen/"
