"""WCAG checks in Chromium: axe-core on every kind of page, keyboard use, progressive JS."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core.management import call_command
from playwright.sync_api import expect

from enrolments.places.tokens import self_service_path
from tests.browser.conftest import make_page
from tests.factories import EnrolmentFactory, SessionFactory
from trainings import search
from trainings.models import Course

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

AXE = Axe()


@pytest.fixture
def site(live_server):
    call_command("loaddata", "catalogue", verbosity=0)
    search.refresh()
    course = Course.objects.get(slug="privacy-in-het-ido")
    session = SessionFactory(course=course, capacity=12, min_participants=4)
    enrolment = EnrolmentFactory(session=session)
    full = SessionFactory(course=course, capacity=1, days=[30])
    EnrolmentFactory(session=full)
    return live_server.url, session, enrolment


def assert_accessible(page, label):
    results = AXE.run(page)
    assert results.violations_count == 0, f"{label}:\n{results.generate_report()}"


def pages(base, session, enrolment):
    return [
        ("home", "/"),
        ("catalogue", "/trainingen/"),
        ("catalogue filtered", "/trainingen/?format=klassikaal&audience=ido-medewerkers&open=1"),
        ("catalogue empty", "/trainingen/?q=mediawijsheit"),
        ("course", "/trainingen/privacy-in-het-ido/"),
        ("course with prices", "/trainingen/digitale-ongelijkheden-overheidsdiensten/"),
        ("course with programme", "/trainingen/didactische-vaardigheden/"),
        ("learning path", "/leerlijnen/deskundigheidstraject-digitale-inclusie/"),
        ("profile", "/profielen/profiel-ido-medewerker/"),
        ("enrolment form", f"/sessies/{session.pk}/inschrijven/"),
        ("self-service", self_service_path(enrolment)),
        ("interest", "/trainingen/ido-en-jongeren/op-de-hoogte/"),
        ("privacy", "/privacy/"),
        ("accessibility statement", "/toegankelijkheid/"),
        ("not found", "/bestaat-niet/"),
        ("broken link", "/inschrijving/kapot/"),
    ]


@pytest.mark.parametrize("width", [1280, 360])
def test_no_axe_violations_on_any_page(browser, site, width):
    base, session, enrolment = site
    context, page = make_page(browser, width)
    try:
        for label, path in pages(base, session, enrolment):
            page.goto(base + path)
            assert_accessible(page, f"{label} at {width}px")
    finally:
        context.close()


def test_no_axe_violations_on_form_errors_and_confirmation(desktop, site):
    base, session, _ = site
    desktop.goto(f"{base}/sessies/{session.pk}/inschrijven/")
    desktop.get_by_role("button", name="Inschrijven").click()
    assert desktop.get_by_role("alert").is_visible()
    assert_accessible(desktop, "enrolment form with errors")
    for label, value in [
        ("Voornaam", "Noor"),
        ("Achternaam", "Bos"),
        ("E-mailadres", "noor@example.org"),
        ("Organisatie", "Bieb"),
    ]:
        desktop.get_by_label(label).fill(value)
    desktop.get_by_label("Ik heb de privacyverklaring gelezen").check()
    desktop.get_by_role("button", name="Inschrijven").click()
    assert "ingeschreven" in desktop.get_by_role("heading", level=1).inner_text()
    assert_accessible(desktop, "confirmation")


def focus_visible(page) -> bool:
    return page.evaluate("""() => {
        const el = document.activeElement; const style = getComputedStyle(el);
        return style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2;
    }""")


def tab_to(page, predicate_js: str, limit: int = 120) -> None:
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(f"() => {{ const el = document.activeElement; return {predicate_js}; }}"):
            assert focus_visible(page), page.evaluate("document.activeElement.outerHTML")
            return
    pytest.fail(f"never reached {predicate_js}")


def test_keyboard_only_from_filter_to_enrolment(desktop, site):
    base, session, _ = site
    desktop.goto(base + "/trainingen/")
    tab_to(desktop, "el.type === 'checkbox' && el.value === 'klassikaal'")
    desktop.keyboard.press("Space")
    desktop.wait_for_url(re.compile(r"format=klassikaal"))
    tab_to(desktop, "el.tagName === 'A' && el.textContent.trim() === 'Privacy in het IDO'")
    desktop.keyboard.press("Enter")
    desktop.wait_for_url(re.compile(r"/trainingen/privacy-in-het-ido/$"))
    tab_to(desktop, f"el.getAttribute('href') === '/sessies/{session.pk}/inschrijven/'")
    desktop.keyboard.press("Enter")
    desktop.wait_for_url(re.compile(r"/inschrijven/$"))
    tab_to(desktop, "el.id === 'id_first_name'")
    desktop.keyboard.type("Kees")
    for value in ["de Boer", "kees@example.org", "Bibliotheek Noordkust", "Adviseur"]:
        desktop.keyboard.press("Tab")
        assert focus_visible(desktop)
        desktop.keyboard.type(value)
    desktop.keyboard.press("Tab")
    desktop.keyboard.press("Space")  # the privacy checkbox
    desktop.keyboard.press("Enter")
    desktop.wait_for_url(re.compile(r"/ontvangen/"))
    assert "ingeschreven" in desktop.get_by_role("heading", level=1).inner_text()


def test_errors_are_announced_and_linked(desktop, site):
    base, session, _ = site
    desktop.goto(f"{base}/sessies/{session.pk}/inschrijven/")
    desktop.get_by_label("E-mailadres").fill("geen-adres")
    desktop.get_by_role("button", name="Inschrijven").click()
    summary = desktop.get_by_role("alert")
    assert "Controleer het formulier" in summary.inner_text()
    email = desktop.get_by_label("E-mailadres")
    described = email.get_attribute("aria-describedby").split()
    messages = [desktop.locator(f"#{id_}").inner_text() for id_ in described]
    assert any("geldig e-mailadres" in message for message in messages)
    summary.get_by_role("link", name=re.compile("E-mailadres")).click()
    assert desktop.evaluate("document.activeElement.id") == "id_email"


def test_filters_update_without_reload_and_back_works(desktop, site):
    base, _, _ = site
    desktop.goto(base + "/trainingen/")
    desktop.evaluate("window.__sameDocument = true")
    total = desktop.locator(".results__count").inner_text()
    desktop.get_by_label(re.compile("^E-learning")).check()
    desktop.wait_for_url(re.compile(r"format=e-learning"))
    count = desktop.locator(".results__count")
    expect(count).not_to_have_text(total)
    filtered = count.inner_text()
    assert desktop.evaluate("window.__sameDocument") is True  # no full page load
    expect(desktop.locator("#results-status")).to_have_text(filtered)  # read out to screen readers
    desktop.go_back()
    desktop.wait_for_url(base + "/trainingen/")
    expect(count).to_have_text(total)
    assert desktop.evaluate("window.__sameDocument") is True
    desktop.go_forward()
    expect(count).to_have_text(filtered)
    # The URL is shareable: opening it fresh shows the same result.
    desktop.goto(desktop.url)
    assert desktop.locator(".results__count").inner_text() == filtered


def test_everything_works_without_javascript(browser, site):
    base, _, _ = site
    # A Dutch browser: one set to English would be sent to /en/trainingen/ on its first visit.
    context = browser.new_context(
        java_script_enabled=False, viewport={"width": 1280, "height": 900}, locale="nl-NL"
    )
    try:
        page = context.new_page()
        page.goto(base + "/trainingen/")
        page.get_by_label(re.compile("^E-learning")).check()
        page.get_by_role("button", name="Filters toepassen").click()
        assert "format=e-learning" in page.url
        assert page.get_by_role("link", name="IDO-e-learning").is_visible()
        page.get_by_label("Sorteren op").select_option("newest")
        page.get_by_role("button", name="Sorteer").click()
        assert "order=newest" in page.url and "format=e-learning" in page.url
    finally:
        context.close()


@pytest.mark.parametrize("width", [1280, 360])
def test_accessibility_statement_in_english_has_no_axe_violations(browser, live_server, width):
    context, page = make_page(browser, width)
    try:
        page.goto(live_server.url + "/taal/en/?next=/toegankelijkheid/")
        expect(page.get_by_role("heading", level=1)).to_have_text("Accessibility statement")
        assert_accessible(page, f"accessibility statement (en) at {width}px")
        # Nothing runs off the side of a phone (WCAG 1.4.10), not even the e-mail address.
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        report = page.get_by_role("link", name="Report an accessibility problem")
        assert report.get_attribute("href").startswith("mailto:")
    finally:
        context.close()
