"""Every course's JSON-LD carries what Google's Course info asks for (issue 13, item 19)."""

import html
import json
import re
import struct
from pathlib import Path

import pytest
from django.conf import settings

from catalogue.public.structured_data import workload
from trainings.models import Course

pytestmark = pytest.mark.django_db

ISO_DURATION = re.compile(r"^P(?!$)(\d+(\.\d+)?[WD])?(T(?=\d)(\d+(\.\d+)?H)?(\d+(\.\d+)?M)?)?$")
SHARE_IMAGE = Path(settings.BASE_DIR) / "static" / "img" / "share.png"


def json_ld(page: str) -> dict:
    match = re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    return json.loads(match.group(1))


def meta(page: str, prop: str) -> str:
    match = re.search(rf'<meta property="{re.escape(prop)}" content="([^"]*)">', page)
    assert match, prop
    return html.unescape(match.group(1))


def assert_valid_offer(offer: dict) -> None:
    assert offer["@type"] == "Offer"
    assert offer["category"] in {"Free", "Partially Free", "Subscription", "Paid"}
    if "price" in offer:
        assert re.fullmatch(r"\d+\.\d\d", offer["price"])
        assert offer["priceCurrency"] == "EUR"
    if offer["category"] == "Free" and "price" in offer:
        assert offer["price"] == "0.00"


def assert_valid_instance(instance: dict) -> None:
    assert instance["@type"] == "CourseInstance"
    assert instance["courseMode"] in {"Onsite", "Online", "Blended"}
    if "courseWorkload" in instance:
        assert ISO_DURATION.match(instance["courseWorkload"]), instance["courseWorkload"]
    assert instance["url"].startswith(("http://", "https://"))


def test_json_ld_of_every_seed_course_has_offers_and_course_instances(client, catalogue):
    courses = list(Course.objects.published())
    assert len(courses) == 24
    with_workload = 0
    for course in courses:
        data = json_ld(client.get(course.get_absolute_url()).content.decode())
        assert data["@type"] == "Course", course.slug
        assert data["name"] == course.title and data["description"] == course.summary
        providers = data["provider"] if isinstance(data["provider"], list) else [data["provider"]]
        assert all(p["@type"] == "Organization" and p["name"] for p in providers)
        assert data["image"] == ["http://testserver/static/img/share.png"]
        assert data["offers"], course.slug
        for offer in data["offers"]:
            assert_valid_offer(offer)
        assert data["hasCourseInstance"], course.slug
        for instance in data["hasCourseInstance"]:
            assert_valid_instance(instance)
            if course.runs_elsewhere:
                assert instance["url"] == course.external_url
        if workload(course.duration):
            assert data["hasCourseInstance"][0]["courseWorkload"] == workload(course.duration)
            with_workload += 1
    # "3 uur", "één dagdeel", "2 lesdagen": the only seed durations there are.
    assert with_workload == 3


def test_course_without_prices_offers_its_price_category(client, catalogue):
    free = Course.objects.get(slug="ido-e-learning")
    data = json_ld(client.get(free.get_absolute_url()).content.decode())
    assert data["offers"] == [
        {
            "@type": "Offer",
            "category": "Free",
            "url": "https://www.bibliotheekcampus.nl/",
            "price": "0.00",
            "priceCurrency": "EUR",
        }
    ]
    assert data["hasCourseInstance"][0]["courseMode"] == "Online"
    paid = Course.objects.get(slug="mediacoach-windesheim")
    page = html.unescape(client.get(paid.get_absolute_url()).content.decode())
    assert json_ld(page)["offers"][0]["category"] == "Paid"
    assert "betaald; de aanbieder noemt de prijs" in page


def test_course_with_prices_keeps_one_offer_per_price(client, catalogue):
    course = Course.objects.get(slug="digitale-ongelijkheden-overheidsdiensten")
    data = json_ld(client.get(course.get_absolute_url()).content.decode())
    assert len(data["offers"]) == 4
    instance = data["hasCourseInstance"][0]
    assert instance["courseMode"] == "Onsite" and instance["courseWorkload"] == "PT3H"


def test_every_page_has_an_absolute_share_image_and_open_graph(client, catalogue):
    course = Course.objects.get(slug="privacy-in-het-ido")
    for url in ["/", "/trainingen/", course.get_absolute_url()]:
        page = client.get(url).content.decode()
        assert meta(page, "og:image") == "http://testserver/static/img/share.png"
        assert meta(page, "og:image:width") == "1200"
        assert meta(page, "og:image:height") == "630"
        assert meta(page, "og:image:alt")
        assert meta(page, "og:url").startswith("http://testserver/")
        assert meta(page, "og:title") and meta(page, "og:description")
    page = client.get(course.get_absolute_url()).content.decode()
    assert meta(page, "og:title") == course.title
    assert meta(page, "og:description") == course.summary


def test_share_image_is_a_committed_1200_by_630_png():
    data = SHARE_IMAGE.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    assert (width, height) == (1200, 630)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("3 uur", "PT3H"),
        ("1,5 uur", "PT1.5H"),
        ("90 minuten", "PT90M"),
        ("één dagdeel", "P0.5D"),
        ("twee dagdelen", "P1D"),
        ("2 lesdagen", "P2D"),
        ("6 weken", "P6W"),
        ("", None),
        ("ca. 3 uur", None),
        ("in je eigen tempo", None),
    ],
)
def test_workload_from_dutch_duration(text, expected):
    assert workload(text) == expected
