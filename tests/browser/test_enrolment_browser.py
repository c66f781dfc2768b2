"""A librarian enrols from the course page in a real browser; a full session waitlists."""

import re

import pytest

from enrolments.models import Enrolment
from tests.factories import CourseFactory, EnrolmentFactory, SessionFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def fill_in(page, email):
    page.get_by_label("Voornaam").fill("Sanne")
    page.get_by_label("Achternaam").fill("Visser")
    page.get_by_label("E-mailadres").fill(email)
    page.get_by_label("Organisatie").fill("Bibliotheek Eemland")
    page.get_by_label("Functie").fill("IDO-medewerker")
    page.get_by_label("Ik heb de privacyverklaring gelezen").check()


def test_librarian_enrols_from_the_course_page(phone, live_server):
    course = CourseFactory(title="Privacy in het IDO")
    SessionFactory(course=course, capacity=5, min_participants=2)
    phone.goto(live_server.url + course.get_absolute_url())
    phone.get_by_role("link", name=re.compile("^Inschrijven")).click()

    # Sending an empty form shows what is missing, linked to the fields.
    phone.get_by_role("button", name="Inschrijven").click()
    summary = phone.get_by_role("alert")
    assert "Controleer het formulier" in summary.inner_text()
    assert phone.get_by_label("Voornaam").get_attribute("aria-invalid") == "true"

    fill_in(phone, "sanne@example.org")
    phone.get_by_role("button", name="Inschrijven").click()
    heading = phone.get_by_role("heading", level=1).inner_text()
    assert "je bent ingeschreven" in heading
    assert phone.get_by_text("gaat door bij minimaal 2 inschrijvingen").is_visible()
    assert Enrolment.objects.get().email == "sanne@example.org"
    assert phone.get_by_role("link", name="Toevoegen aan agenda").is_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360


def test_full_session_offers_the_waiting_list(desktop, live_server):
    session = SessionFactory(capacity=1)
    EnrolmentFactory(session=session)
    desktop.goto(live_server.url + session.course.get_absolute_url())
    assert desktop.get_by_text("Vol — schrijf je in voor de wachtlijst").is_visible()
    desktop.get_by_role("link", name=re.compile("^Op de wachtlijst")).click()
    fill_in(desktop, "wacht@example.org")
    desktop.get_by_role("button", name="Zet mij op de wachtlijst").click()
    assert desktop.get_by_role("heading", level=1).inner_text() == (
        "Je staat op de wachtlijst (plaats 1)"
    )


def test_waiting_list_result_on_a_phone_offers_no_calendar(phone, live_server):
    session = SessionFactory(capacity=1)
    EnrolmentFactory(session=session)
    phone.goto(live_server.url + f"/sessies/{session.pk}/inschrijven/")
    fill_in(phone, "wacht@example.org")
    phone.get_by_role("button", name="Zet mij op de wachtlijst").click()
    assert phone.get_by_role("heading", level=1).inner_text() == (
        "Je staat op de wachtlijst (plaats 1)"
    )
    assert phone.get_by_role("link", name="Toevoegen aan agenda").count() == 0
    assert phone.locator("a[href$='.ics']").count() == 0
    assert phone.get_by_text("Zet haar daarom nog niet in je agenda").is_visible()
