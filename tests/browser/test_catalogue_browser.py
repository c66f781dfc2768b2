"""A librarian finds a training in a real browser, on a phone and on a laptop."""

import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from tests.factories import SessionFactory
from trainings import search
from trainings.models import Course

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def site(live_server):
    call_command("loaddata", "catalogue", verbosity=0)
    search.refresh()
    SessionFactory(course=Course.objects.get(slug="privacy-in-het-ido"), days=[12])
    return live_server.url


def test_librarian_searches_filters_and_reads_a_course_on_a_phone(phone, site):
    phone.goto(site + "/")
    phone.get_by_label("Zoek een training").fill("privacy")
    phone.get_by_role("button", name="Zoeken").click()
    assert phone.get_by_role("heading", name="Privacy in het IDO").is_visible()

    # The filters are folded away on a small screen; open them and choose a format.
    phone.locator("summary", has_text="Filters").click()
    phone.get_by_label("Klassikaal").check()  # with JavaScript the results follow at once
    phone.wait_for_url(re.compile(r"format=klassikaal"))
    phone.get_by_label(re.compile("^IDO-medewerkers")).check()
    phone.wait_for_url(re.compile(r"audience=ido-medewerkers"))
    assert "q=privacy" in phone.url and "format=klassikaal" in phone.url
    assert phone.get_by_role("link", name="Klassikaal — filter verwijderen").is_visible()
    assert phone.get_by_role("link", name="IDO-medewerkers — filter verwijderen").is_visible()

    phone.get_by_role("link", name="Privacy in het IDO").click()
    assert phone.get_by_role("heading", level=1).inner_text() == "Privacy in het IDO"
    assert phone.get_by_role("heading", name="Sessies").is_visible()
    assert phone.get_by_text("Nog 10 plaatsen vrij").is_visible()
    # Nothing sticks out sideways at 360 px.
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360


def test_filter_chip_removes_one_filter_on_a_laptop(desktop, site):
    desktop.goto(site + "/trainingen/?theme=bestuur-en-organisatie&level=basis")
    assert desktop.get_by_role("heading", name="1 training gevonden").is_visible()
    desktop.get_by_role("link", name="Bestuur en organisatie — filter verwijderen").click()
    desktop.wait_for_url(re.compile(r"^(?!.*theme=).*level=basis"))
    assert desktop.get_by_label("Basis").is_checked()


def test_skip_link_is_the_first_stop_for_keyboard_users(desktop, site):
    desktop.goto(site + "/trainingen/")
    desktop.keyboard.press("Tab")
    focused = desktop.evaluate("document.activeElement.textContent")
    assert focused.strip() == "Naar de inhoud"
    desktop.keyboard.press("Enter")
    assert desktop.evaluate("document.activeElement.id") == "main"


def test_ticking_a_filter_on_a_phone_shows_and_says_the_new_count(phone, site):
    phone.goto(site + "/trainingen/")
    phone.locator("summary", has_text="Filters").click()
    heading = phone.locator(".results__count")
    checkbox = phone.get_by_label("Klassikaal")
    checkbox.scroll_into_view_if_needed()
    assert not heading.is_visible() or not in_viewport(phone, heading)  # far below the panel
    checkbox.check()
    phone.wait_for_url(re.compile(r"format=klassikaal"))
    expected = Course.objects.published().filter(formats__slug="klassikaal").count()
    status = phone.locator("[aria-live=polite]#results-status")
    phone.wait_for_function("document.getElementById('results-status').textContent !== ''")
    assert status.inner_text() == f"{expected} trainingen gevonden"
    assert status.get_attribute("role") == "status"
    assert status.is_visible() and in_viewport(phone, status)
    # Asking for them brings the list's own count into view, and the bar steps aside.
    phone.get_by_role("button", name="Toon de trainingen").click()
    expect(heading).to_be_in_viewport()
    assert heading.inner_text() == f"{expected} trainingen gevonden"
    assert not phone.get_by_role("button", name="Toon de trainingen").is_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360


def in_viewport(page, locator) -> bool:
    box = locator.bounding_box()
    height = page.viewport_size["height"]
    return box is not None and box["y"] >= 0 and box["y"] + box["height"] <= height
