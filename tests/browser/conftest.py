"""Real Chromium (the system's, never a downloaded one) driven by Playwright.

Without Chromium these tests skip with the reason; with REQUIRE_BROWSER=1 (CI) they fail.
"""

import os
from pathlib import Path

import pytest

CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

# Playwright's sync API keeps an event loop running in this thread; the tests themselves
# set up data with the ORM in the same thread, which Django otherwise refuses.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture
def browser():
    # One browser per test, started after the test database is set up and stopped before it
    # is flushed: Playwright's sync API switches the execution context, and Django gives
    # each context its own connection object, which would miss the data that
    # serialized_rollback restores.
    if not CHROMIUM.exists():
        message = f"Chromium not found at {CHROMIUM}; install it with: apt-get install chromium"
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(message)
        pytest.skip(message)
    from django.db import connections
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()
        # The test's queries ran on this context's own connection; do not leave it open.
        connections.close_all()


def make_page(browser, width: int):
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="nl-NL")
    context.set_default_timeout(10_000)
    return context, context.new_page()


@pytest.fixture
def phone(browser):
    context, page = make_page(browser, 360)
    yield page
    context.close()


@pytest.fixture
def desktop(browser):
    context, page = make_page(browser, 1280)
    yield page
    context.close()
