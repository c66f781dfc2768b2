"""The accessibility statement (toegankelijkheidsverklaring) and the way to report a barrier."""

import xml.etree.ElementTree as ElementTree
from urllib.parse import parse_qs, urlsplit

import html5lib
import pytest
from django.conf import settings

from catalogue.languages import url_in_language
from catalogue.settings import default_accessibility_email

pytestmark = pytest.mark.django_db


def report_links(html: str) -> list[str]:
    tree = html5lib.parse(html, namespaceHTMLElements=False)
    return [a.get("href") for a in tree.iter("a") if (a.get("href") or "").startswith("mailto:")]


def test_statement_says_what_was_tested_the_gaps_and_whom_to_tell(client):
    response = client.get("/toegankelijkheid/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Toegankelijkheidsverklaring</h1>" in html
    for fact in (
        "EN 301 549",
        "2.1, niveau A en AA",
        "axe-core",
        "360 pixels",
        "toetsenbord",
        "status C",
    ):
        assert fact in html, fact
    assert "Wat nog niet goed is of niet getest" in html
    link, plain = report_links(html)
    parts = urlsplit(link)
    assert parts.path == settings.ACCESSIBILITY_EMAIL
    query = parse_qs(parts.query)
    assert query["subject"] == ["Toegankelijkheidsprobleem in de Trainingscatalogus"]
    assert "Op welke pagina" in query["body"][0]
    assert plain == f"mailto:{settings.ACCESSIBILITY_EMAIL}"


def test_the_contact_address_is_a_setting(client, settings):
    settings.ACCESSIBILITY_EMAIL = "digitoegankelijk@poi.example.nl"
    html = client.get("/toegankelijkheid/").content.decode()
    assert all(
        link.startswith("mailto:digitoegankelijk@poi.example.nl") for link in report_links(html)
    )
    assert ">digitoegankelijk@poi.example.nl</a>" in html


def test_statement_in_english(client):
    response = client.get("/en/toegankelijkheid/")
    html = response.content.decode()
    assert response["Content-Language"] == "en"
    assert "<h1>Accessibility statement</h1>" in html
    assert "What is not right yet or not tested" in html
    assert "subject=Accessibility%20problem%20in%20the%20Training%20catalogue" in html


@pytest.mark.parametrize("language", ["nl", "en"])
def test_footer_links_the_privacy_and_accessibility_statements(client, language):
    home = url_in_language("/", language)
    tree = html5lib.parse(client.get(home).content.decode(), namespaceHTMLElements=False)
    footer = tree.find(".//footer")
    links = {a.get("href"): a.text for a in footer.iter("a")}
    statement = url_in_language("/toegankelijkheid/", language)
    assert links[statement] == {"nl": "Toegankelijkheid", "en": "Accessibility"}[language]
    assert url_in_language("/privacy/", language) in links


def test_statement_is_in_the_sitemap(client):
    root = ElementTree.fromstring(client.get("/sitemap.xml").content)
    locations = [loc.text for loc in root.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")]
    assert "http://testserver/toegankelijkheid/" in locations


@pytest.mark.parametrize(
    ("site_url", "expected"),
    [
        ("https://www.trainingen.example.nl", "toegankelijkheid@trainingen.example.nl"),
        ("https://catalogus.poi.example", "toegankelijkheid@catalogus.poi.example"),
        ("http://127.0.0.1:8000", "toegankelijkheid@trainingscatalogus.localhost"),
        ("http://localhost:8000", "toegankelijkheid@trainingscatalogus.localhost"),
        ("http://[::1]:8000", "toegankelijkheid@trainingscatalogus.localhost"),
    ],
)
def test_default_contact_is_on_the_sites_own_domain(site_url, expected):
    assert default_accessibility_email(site_url) == expected
