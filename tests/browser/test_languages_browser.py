"""The addresses per language in Chromium: a French browser's first visit, the switcher."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core.management import call_command
from playwright.sync_api import expect

from tests.browser.conftest import make_page
from trainings import search

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

COURSE = "/trainingen/privacy-in-het-ido/"


@pytest.fixture
def site(live_server):
    call_command("loaddata", "catalogue", verbosity=0)
    search.refresh()
    return live_server.url


def test_a_french_browser_lands_in_french_and_the_switcher_keeps_the_page(browser, site):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="fr-BE")
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        page.goto(site + COURSE)
        expect(page).to_have_url(site + "/fr" + COURSE)
        expect(page.locator("html")).to_have_attribute("lang", "fr")
        page.get_by_role("link", name="Nederlands").click()
        expect(page).to_have_url(site + COURSE)
        expect(page.locator("html")).to_have_attribute("lang", "nl")
        # The choice is remembered: the Dutch address now stays Dutch for this browser.
        page.goto(site + "/trainingen/")
        expect(page).to_have_url(site + "/trainingen/")
        page.get_by_role("link", name="English").click()
        expect(page).to_have_url(site + "/en/trainingen/")
        page.get_by_role("link", name="Français").click()
        expect(page).to_have_url(site + "/fr/trainingen/")
    finally:
        context.close()


@pytest.mark.parametrize("width", [1280, 360])
def test_french_pages_have_no_axe_violations_and_fit(browser, site, width):
    context, page = make_page(browser, width)
    try:
        for path in ("/fr/", "/fr/trainingen/", "/fr" + COURSE):
            page.goto(site + path)
            results = Axe().run(page)
            assert results.violations_count == 0, f"{path}:\n{results.generate_report()}"
            assert page.evaluate("document.documentElement.scrollWidth") <= width, path
    finally:
        context.close()
