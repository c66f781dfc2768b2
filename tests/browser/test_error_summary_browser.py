"""On a phone, a form the server sends back puts its error summary in front of the visitor.

`anna@bieb` passes the browser's own e-mail check but not the server's; the page comes back
and focus must land on the error summary (in view), not on <body> with the summary far below.
"""

import pytest
from django.urls import reverse

from enrolments.places.tokens import self_service_path
from tests.browser.conftest import make_page
from tests.factories import CourseFactory, EnrolmentFactory, SessionFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

BAD_EMAIL = "anna@bieb"

# What the browser knows about the focused element and where it is on the screen.
FOCUSED = """() => {
    const el = document.activeElement;
    const box = el.getBoundingClientRect();
    return {
        summary: el.hasAttribute('data-error-summary'),
        text: el.innerText,
        inView: box.top >= 0 && box.top < window.innerHeight && box.height > 0,
    };
}"""


def assert_summary_focused_and_in_view(page, mentions: str):
    page.wait_for_load_state()
    focused = page.evaluate(FOCUSED)
    assert focused["summary"], page.evaluate("document.activeElement.outerHTML.slice(0, 200)")
    assert focused["inView"]
    assert "Controleer het formulier" in focused["text"]
    assert mentions in focused["text"]


def test_enrolment_form_focuses_the_summary_on_a_phone(phone, live_server):
    session = SessionFactory()
    phone.goto(f"{live_server.url}/sessies/{session.pk}/inschrijven/")
    phone.get_by_label("Voornaam").fill("Anna")
    phone.get_by_label("Achternaam").fill("Jansen")
    phone.get_by_label("E-mailadres").fill(BAD_EMAIL)
    phone.get_by_label("Organisatie").fill("Bibliotheek Rivierenland")
    phone.get_by_label("Ik heb de privacyverklaring gelezen").check()
    phone.get_by_role("button", name="Inschrijven").click()
    assert_summary_focused_and_in_view(phone, "E-mailadres")
    # Its link takes the visitor to the field, with the label in view.
    phone.locator("[data-error-summary] a").first.click()
    assert phone.evaluate("document.activeElement.id") == "id_email"
    label_top = phone.evaluate(
        "document.querySelector('label[for=id_email]').getBoundingClientRect().top"
    )
    assert -2 <= label_top < 900  # scrolled to the label; sub-pixel rounding may go above 0


def test_group_form_focuses_the_summary_on_a_phone(phone, live_server):
    session = SessionFactory(capacity=10)
    phone.goto(f"{live_server.url}/sessies/{session.pk}/inschrijven/groep/")
    phone.get_by_label("Organisatie").fill("Bibliotheek Rivierenland")
    phone.get_by_label("Jouw naam").fill("Anna Jansen")
    phone.get_by_label("Jouw e-mailadres").fill("anna@example.org")
    phone.locator("#id_form-0-first_name").fill("Bram")
    phone.locator("#id_form-0-last_name").fill("Smit")
    phone.locator("#id_form-0-email").fill(BAD_EMAIL)
    phone.get_by_label("Ik heb de privacyverklaring gelezen").check()
    phone.get_by_role("button", name="Collega's inschrijven").click()
    assert_summary_focused_and_in_view(phone, "Collega 1")


def test_interest_form_focuses_the_summary_on_a_phone(phone, live_server):
    course = CourseFactory()
    phone.goto(f"{live_server.url}/trainingen/{course.slug}/op-de-hoogte/")
    phone.locator("#id_email").fill(BAD_EMAIL)
    phone.get_by_role("button", name="Houd me op de hoogte").click()
    assert_summary_focused_and_in_view(phone, "E-mailadres")


def test_session_request_form_focuses_the_summary_on_a_phone(phone, live_server):
    course = CourseFactory()
    phone.goto(f"{live_server.url}/trainingen/{course.slug}/op-maat/")
    phone.get_by_label("Organisatie").fill("Bibliotheek Rivierenland")
    phone.get_by_label("Naam contactpersoon").fill("Anna Jansen")
    phone.get_by_label("E-mailadres").fill(BAD_EMAIL)
    phone.get_by_role("button", name="Aanvraag versturen").click()
    assert_summary_focused_and_in_view(phone, "E-mailadres")


def test_self_service_forms_focus_the_summary_on_a_phone(phone, live_server):
    # Six weeks ahead: free cancellation (the button), whatever public holidays come first.
    enrolment = EnrolmentFactory(session=SessionFactory(days=[42]))
    url = live_server.url + self_service_path(enrolment)
    # Handing the place over to a colleague with an address the server refuses.
    phone.goto(url)
    phone.locator("#id_sub-first_name").fill("Bram")
    phone.locator("#id_sub-last_name").fill("Smit")
    phone.locator("#id_sub-email").fill(BAD_EMAIL)
    phone.get_by_role("button", name="Plaats overdragen").click()
    assert_summary_focused_and_in_view(phone, "E-mailadres")
    # Cancelling with a reason longer than the server keeps (the browser's limit removed).
    phone.goto(url)
    phone.evaluate(
        "() => { const r = document.getElementById('id_reason');"
        " r.removeAttribute('maxlength'); r.value = 'x'.repeat(1001); }"
    )
    phone.get_by_role("button", name="Ja, annuleer mijn inschrijving").click()
    assert_summary_focused_and_in_view(phone, "Reden")


def test_without_javascript_the_summary_is_in_the_first_screen(browser, live_server):
    session = SessionFactory()
    context = browser.new_context(
        viewport={"width": 360, "height": 640}, locale="nl-NL", java_script_enabled=False
    )
    try:
        page = context.new_page()
        page.goto(f"{live_server.url}/sessies/{session.pk}/inschrijven/")
        page.get_by_label("E-mailadres").fill(BAD_EMAIL)
        page.get_by_role("button", name="Inschrijven").click()
        summary = page.locator("[data-error-summary]")
        assert "Controleer het formulier" in summary.inner_text()
        assert summary.bounding_box()["y"] < 640
    finally:
        context.close()


def test_summary_focus_works_in_english_too(browser, live_server):
    session = SessionFactory()
    context, page = make_page(browser, 360)
    try:
        path = reverse("enrolments:enrol", args=[session.pk])
        page.goto(f"{live_server.url}/taal/en/?next={path}")
        page.locator("#id_email").fill(BAD_EMAIL)
        page.locator("button[type=submit]").last.click()
        page.wait_for_load_state()
        focused = page.evaluate(FOCUSED)
        assert focused["summary"] and focused["inView"]
        assert "Please check the form" in focused["text"]
    finally:
        context.close()
