"""Coordinators and advisers in the admin, in a real browser."""

import datetime
import re

import pytest
from django.contrib.auth.models import Group, User
from django.utils import timezone
from openpyxl import load_workbook
from playwright.sync_api import expect

from tests.factories import CourseFactory, EnrolmentFactory, LocationFactory, SessionFactory
from trainings.models import Session

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def log_in(page, live_server, username, group):
    user = User.objects.create_user(username, password="geheim-wachtwoord-1", is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    page.goto(live_server.url + "/admin/")
    page.get_by_label("Gebruikersnaam").fill(username)
    page.get_by_label("Wachtwoord").fill("geheim-wachtwoord-1")
    page.get_by_role("button", name="Aanmelden").click()


def test_coordinator_downloads_the_enrolment_list(desktop, live_server, tmp_path):
    session = SessionFactory(course=CourseFactory(title="Privacy in het IDO"))
    EnrolmentFactory(session=session, first_name="Zoë", last_name="Hoëvenaars")
    log_in(desktop, live_server, "coordinator", "Coördinatoren")
    desktop.get_by_role("link", name=re.compile("Werkplek")).click()
    desktop.get_by_role("link", name="Privacy in het IDO").click()
    with desktop.expect_download() as download:
        desktop.get_by_role("link", name="Excel", exact=True).click()
    path = tmp_path / download.value.suggested_filename
    download.value.save_as(path)
    assert path.name.startswith("inschrijvingen-") and path.suffix == ".xlsx"
    sheet = load_workbook(path).active
    assert sheet["H2"].value == "Zoë" and sheet["I2"].value == "Hoëvenaars"


def test_adviser_schedules_a_session_from_the_course(desktop, live_server):
    course = CourseFactory(
        title="Didactische vaardigheden", default_capacity=14, default_min_participants=8
    )
    location = LocationFactory(name="Leslokaal Cybersoek", city="Amsterdam")
    log_in(desktop, live_server, "adviseur", "POI-adviseurs")
    desktop.goto(live_server.url + f"/admin/trainings/course/{course.pk}/change/")
    desktop.get_by_role("link", name="Nieuwe sessie plannen").click()
    assert desktop.get_by_label("Maximum aantal deelnemers").input_value() == "14"
    # The location is an autocomplete; pick it by typing.
    desktop.locator('[aria-labelledby="select2-id_location-container"]').click()
    desktop.locator(".select2-search__field").fill("Cybersoek")
    desktop.get_by_role("option", name=re.compile("Leslokaal Cybersoek")).click()
    day = timezone.localdate() + datetime.timedelta(days=40)
    desktop.locator("#id_days-0-date").fill(day.strftime("%d-%m-%Y"))
    desktop.locator("#id_days-0-start_time").fill("09:30")
    desktop.locator("#id_days-0-end_time").fill("16:30")
    desktop.get_by_role("button", name="Opslaan", exact=True).click()
    assert "toegevoegd" in desktop.locator(".messagelist .success").first.inner_text()
    session = Session.objects.get()
    assert (session.location, session.capacity, session.min_participants) == (location, 14, 8)
    assert timezone.localtime(session.starts_at).date() == day


def _box(page, selector):
    return page.locator(selector).first.bounding_box()


@pytest.mark.parametrize("width", [1280, 360])
def test_session_page_buttons_stay_clear_of_the_title(browser, live_server, width):
    from tests.browser.conftest import make_page

    session = SessionFactory(
        course=CourseFactory(title="Voorkomen en bestrijden van digitale ongelijkheid in de wijk")
    )
    context, page = make_page(browser, width)
    log_in(page, live_server, "adviseur", "POI-adviseurs")
    page.goto(live_server.url + f"/admin/trainings/session/{session.pk}/change/")
    title = _box(page, "#content > h2")
    tools = _box(page, "#content-main > .object-tools")
    assert tools["y"] >= title["y"] + title["height"]  # below the title, never over it
    assert tools["x"] + tools["width"] <= width
    context.close()


def test_enrolment_list_shows_its_last_column_on_a_laptop(desktop, live_server):
    EnrolmentFactory(
        session=SessionFactory(course=CourseFactory(title="Persoonlijke en organisatievragen")),
        email="mohamed.hendriks.langenaam@bibliotheek-de-waarden.example.org",
        organisation="Bibliotheek De Waarden",
    )
    log_in(desktop, live_server, "adviseur", "POI-adviseurs")
    desktop.goto(live_server.url + "/admin/enrolments/enrolment/")
    last = _box(desktop, "#result_list thead th:last-child")
    results = _box(desktop, "#changelist .results")
    assert last["x"] + last["width"] <= results["x"] + results["width"] + 1


def test_adviser_fills_in_a_course_in_french_with_the_language_buttons(desktop, live_server):
    course = CourseFactory(title="Leesplezier", summary="Over lezen.")
    log_in(desktop, live_server, "adviseur", "POI-adviseurs")
    desktop.goto(live_server.url + f"/admin/trainings/course/{course.pk}/change/")
    french = desktop.get_by_role("button", name="Français")
    # Dutch first; the other languages' fields wait behind their button.
    assert desktop.locator("#id_title_nl").is_visible()
    assert not desktop.locator("#id_title_fr").is_visible()
    french.click()
    assert french.get_attribute("aria-pressed") == "true"
    assert not desktop.locator("#id_title_nl").is_visible()
    assert desktop.locator("#id_slug").is_visible()  # fields without languages stay
    desktop.locator("#id_title_fr").fill("Le plaisir de lire")
    desktop.locator("#id_summary_fr").fill("Sur la lecture.")
    desktop.get_by_role("button", name="Opslaan", exact=True).first.click()
    assert "gewijzigd" in desktop.locator(".messagelist .success").first.inner_text()
    course.refresh_from_db()
    assert (course.title_nl, course.title_fr, course.summary_fr) == (
        "Leesplezier",
        "Le plaisir de lire",
        "Sur la lecture.",
    )


def test_adviser_cancels_an_enrolment_on_the_confirmation_page(desktop, live_server):
    session = SessionFactory(course=CourseFactory(title="Mediawijsheid"), capacity=1)
    leaving = EnrolmentFactory(session=session, first_name="Ilse", last_name="Jansen")
    log_in(desktop, live_server, "adviseur", "POI-adviseurs")
    desktop.goto(live_server.url + "/admin/enrolments/enrolment/")
    desktop.locator(f'input[name="_selected_action"][value="{leaving.pk}"]').check()
    desktop.locator('select[name="action"]').select_option("cancel")
    desktop.get_by_role("button", name="Uitvoeren").click()
    # The confirmation page: its trail leads back to the list, the reason is a labelled field.
    trail = desktop.locator(".breadcrumbs")
    expect(trail.get_by_role("link", name="Inschrijvingen")).to_be_visible()
    assert "Inschrijvingen annuleren" in trail.inner_text()
    desktop.get_by_label("Reden").fill("Dubbel geboekt")
    desktop.get_by_role("button", name="Bevestigen").click()
    assert "1 inschrijving geannuleerd" in desktop.locator(".messagelist .success").inner_text()
    leaving.refresh_from_db()
    assert (leaving.status, leaving.cancellation_reason) == ("cancelled", "Dubbel geboekt")
