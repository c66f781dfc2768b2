"""A team leader enrols colleagues together, and a trainer marks attendance on a phone."""

import re
import time

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.contrib.auth.models import Group, User
from playwright.sync_api import expect

from enrolments.models import Attendance, Enrolment, QueuedEmail
from enrolments.settlement.attendance import attendance_mark
from tests.browser.conftest import make_page
from tests.factories import CourseFactory, EnrolmentFactory, SessionFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

AXE = Axe()
PASSWORD = "geheim-wachtwoord-1"


def assert_accessible(page, label):
    # The same check as test_accessibility.py: axe-core's default rules, no exceptions.
    results = AXE.run(page)
    assert results.violations_count == 0, f"{label}:\n{results.generate_report()}"


def wait_until(page, condition, timeout: float = 10.0) -> bool:
    """Poll the database while Playwright keeps its own events flowing."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        page.wait_for_timeout(100)
    return condition()


# The group enrolment form


@pytest.fixture
def group_session(live_server):
    session = SessionFactory(course=CourseFactory(title="Privacy in het IDO"), capacity=2)
    EnrolmentFactory(session=session)  # one place left
    return session


def group_url(live_server, session) -> str:
    return f"{live_server.url}/sessies/{session.pk}/inschrijven/groep/"


def rows(page):
    return page.locator("[data-colleague]")


def fill_row(page, index: int, first: str, last: str, email: str) -> None:
    row = rows(page).nth(index)
    row.get_by_label("Voornaam", exact=True).fill(first)
    row.get_by_label("Achternaam", exact=True).fill(last)
    row.get_by_label("E-mailadres", exact=True).fill(email)


def row_state(page) -> list[dict]:
    """Per row: its legend, the name of each input and the first name typed."""
    return page.eval_on_selector_all(
        "[data-colleague]",
        """rows => rows.map(row => ({
            legend: row.querySelector('legend').textContent.replace(/\\s+/g, ' ').trim(),
            names: Array.from(row.querySelectorAll('input')).map(i => i.name),
            labelsMatch: Array.from(row.querySelectorAll('label')).every(
                l => document.getElementById(l.htmlFor) !== null),
            remove: row.querySelector('[data-colleague-remove]').value,
            first: row.querySelector('input[name$="-first_name"]').value,
        }))""",
    )


def total_forms(page) -> str:
    return page.locator("input[name='form-TOTAL_FORMS']").input_value()


def test_add_colleague_adds_a_third_row_without_a_page_load(desktop, live_server, group_session):
    desktop.goto(group_url(live_server, group_session))
    expect(rows(desktop)).to_have_count(2)
    desktop.evaluate("window.__sameDocument = true")
    desktop.get_by_role("button", name="Nog een collega toevoegen").click()
    expect(rows(desktop)).to_have_count(3)
    assert desktop.evaluate("window.__sameDocument") is True
    third = rows(desktop).nth(2)
    expect(third.locator("legend")).to_have_text(re.compile(r"^\s*Collega\s+3\s*$"))
    assert total_forms(desktop) == "3"
    assert row_state(desktop)[2]["names"] == [
        "form-2-first_name",
        "form-2-last_name",
        "form-2-email",
        "form-2-job_title",
    ]
    # Focus moves to the new row, and a screen reader hears that it was added.
    assert desktop.evaluate("document.activeElement.name") == "form-2-first_name"
    expect(desktop.locator("[data-colleague-status]")).to_have_text(
        "Rij voor collega 3 toegevoegd."
    )


def test_removing_row_two_renumbers_the_rows(desktop, live_server, group_session):
    desktop.goto(group_url(live_server, group_session))
    desktop.get_by_role("button", name="Nog een collega toevoegen").click()
    desktop.get_by_role("button", name="Nog een collega toevoegen").click()
    for index, first in enumerate(["Een", "Twee", "Drie", "Vier"]):
        fill_row(desktop, index, first, "Collega", f"{first.lower()}@example.org")
    desktop.evaluate("window.__sameDocument = true")
    desktop.get_by_role("button", name="Verwijder collega 2").click()
    expect(rows(desktop)).to_have_count(3)
    assert desktop.evaluate("window.__sameDocument") is True
    state = row_state(desktop)
    assert [row["legend"] for row in state] == ["Collega 1", "Collega 2", "Collega 3"]
    assert [row["first"] for row in state] == ["Een", "Drie", "Vier"]
    assert [row["names"][0] for row in state] == [
        "form-0-first_name",
        "form-1-first_name",
        "form-2-first_name",
    ]
    assert [row["remove"] for row in state] == ["remove-0", "remove-1", "remove-2"]
    assert all(row["labelsMatch"] for row in state)
    assert total_forms(desktop) == "3"
    # The visually hidden part of each remove button follows the new numbers.
    expect(desktop.get_by_role("button", name="Verwijder collega 3")).to_be_visible()
    expect(desktop.get_by_role("button", name="Verwijder collega 4")).to_have_count(0)


def fill_group_form(page) -> None:
    page.get_by_label("Organisatie", exact=True).fill("Bibliotheek Eemland")
    page.get_by_label("Jouw naam").fill("Marieke de Wit")
    page.get_by_label("Jouw e-mailadres").fill("marieke@example.org")
    fill_row(page, 0, "Sanne", "Visser", "sanne@example.org")
    fill_row(page, 1, "Kees", "de Boer", "kees@example.org")
    page.get_by_label("Ik heb de privacyverklaring gelezen").check()


def test_group_enrolment_is_placed_once_the_sender_confirms(phone, live_server, group_session):
    phone.goto(group_url(live_server, group_session))
    fill_group_form(phone)
    phone.get_by_role("button", name="Collega's inschrijven").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text(
        "Bevestig je aanmelding via de e-mail"
    )
    assert not Enrolment.objects.filter(organisation="Bibliotheek Eemland").exists()
    mail = QueuedEmail.objects.get(kind="group_confirm", to="marieke@example.org")
    link = re.search(r"https?://[^/\s]+(/\S*groepsaanmelding/\S+/)", mail.body_text).group(1)
    phone.goto(live_server.url + link)
    assert_accessible(phone, "group confirmation")
    phone.get_by_role("button", name="Aanmelding bevestigen").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Je collega's zijn aangemeld")
    expect(phone.locator("main")).not_to_contain_text("Sanne")  # no outcome per person
    stored = dict(
        Enrolment.objects.filter(
            session=group_session, organisation="Bibliotheek Eemland"
        ).values_list("email", "status")
    )
    assert stored == {
        "sanne@example.org": Enrolment.Status.REGISTERED,
        "kees@example.org": Enrolment.Status.WAITLISTED,
    }
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360


@pytest.fixture
def no_js(browser):
    context = browser.new_context(
        java_script_enabled=False, viewport={"width": 360, "height": 900}, locale="nl-NL"
    )
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()


def test_without_javascript_add_posts_and_keeps_what_was_typed(no_js, live_server, group_session):
    no_js.goto(group_url(live_server, group_session))
    no_js.get_by_label("Organisatie", exact=True).fill("Bibliotheek Eemland")
    no_js.get_by_label("Jouw naam").fill("Marieke de Wit")
    fill_row(no_js, 0, "Sanne", "Visser", "sanne@example.org")
    with no_js.expect_navigation():
        no_js.get_by_role("button", name="Nog een collega toevoegen").click()
    expect(rows(no_js)).to_have_count(3)
    expect(rows(no_js).nth(2).locator("legend")).to_have_text(re.compile(r"Collega\s+3"))
    assert total_forms(no_js) == "3"
    assert no_js.get_by_label("Organisatie", exact=True).input_value() == "Bibliotheek Eemland"
    assert no_js.get_by_label("Jouw naam").input_value() == "Marieke de Wit"
    first = rows(no_js).nth(0)
    assert first.get_by_label("Voornaam", exact=True).input_value() == "Sanne"
    assert first.get_by_label("E-mailadres", exact=True).input_value() == "sanne@example.org"
    # Adding a row is not sending the form: no complaints about what is still empty.
    expect(no_js.get_by_role("alert")).to_have_count(0)
    assert not Enrolment.objects.filter(organisation="Bibliotheek Eemland").exists()


def test_without_javascript_remove_posts_and_shifts_the_rows_up(no_js, live_server, group_session):
    no_js.goto(group_url(live_server, group_session))
    fill_row(no_js, 0, "Sanne", "Visser", "sanne@example.org")
    fill_row(no_js, 1, "Kees", "de Boer", "kees@example.org")
    with no_js.expect_navigation():
        no_js.get_by_role("button", name="Verwijder collega 1").click()
    expect(rows(no_js)).to_have_count(1)
    state = row_state(no_js)
    assert [row["first"] for row in state] == ["Kees"]
    assert [row["legend"] for row in state] == ["Collega 1"]
    assert total_forms(no_js) == "1"


# The attendance page


def log_in(page, live_server, username="trainer") -> User:
    user = User.objects.create_user(username, password=PASSWORD, is_staff=True)
    user.groups.add(Group.objects.get(name="Trainers"))
    page.goto(live_server.url + "/admin/login/")
    page.get_by_label("Gebruikersnaam").fill(username)
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Aanmelden").click()
    page.wait_for_url(re.compile(r"/admin/$"))
    return user


@pytest.fixture
def attendance_session(live_server):
    session = SessionFactory(
        course=CourseFactory(title="Privacy in het IDO"), days=[0], trainer="trainer"
    )
    people = [
        EnrolmentFactory(session=session, first_name=first, last_name=last)
        for first, last in [("Noor", "Bakker"), ("Ilse", "Claes"), ("Kees", "Dijkstra")]
    ]
    return session, people


def attendance_url(live_server, session) -> str:
    return f"{live_server.url}/aanwezigheid/sessies/{session.pk}/"


def mark_button(page, person, label: str):
    # Named like "Aanwezig — Noor Bakker" or "Afgemeld (afwezig met verantwoording) — …".
    return page.locator(f"#p-{person.pk}").get_by_role(
        "button",
        name=re.compile(rf"^{label}( \(.*\))?\s*—\s*{person.first_name} {person.last_name}$"),
    )


def stored_mark(person) -> str | None:
    mark = Attendance.objects.filter(enrolment=person).first()
    return mark.status if mark else None


def test_tapping_present_presses_the_button_and_stores_the_mark(
    phone, live_server, attendance_session
):
    session, (noor, ilse, _) = attendance_session
    log_in(phone, live_server)
    phone.goto(attendance_url(live_server, session))
    expect(phone.locator("[data-count='unmarked']")).to_have_text("3")
    phone.evaluate("window.__sameDocument = true")
    mark_button(phone, noor, "Aanwezig").click()
    expect(mark_button(phone, noor, "Aanwezig")).to_have_attribute("aria-pressed", "true")
    expect(mark_button(phone, noor, "Afwezig")).to_have_attribute("aria-pressed", "false")
    assert wait_until(phone, lambda: stored_mark(noor) == Attendance.Status.PRESENT)
    mark = Attendance.objects.get(enrolment=noor)
    assert mark.day == session.days.get() and mark.marked_by.username == "trainer"
    assert stored_mark(ilse) is None
    expect(phone.locator("[data-count='present']")).to_have_text("1")
    expect(phone.locator("[data-count='unmarked']")).to_have_text("2")
    expect(phone.locator("[data-attendance-status]")).to_have_text("Opgeslagen.")
    assert phone.evaluate("window.__sameDocument") is True  # saved in the background


def test_a_tap_without_connection_is_kept_and_sent_when_back_online(
    phone, live_server, attendance_session
):
    session, (_, ilse, _) = attendance_session
    log_in(phone, live_server)
    phone.goto(attendance_url(live_server, session))
    phone.context.set_offline(True)
    mark_button(phone, ilse, "Afwezig").click()
    expect(mark_button(phone, ilse, "Afwezig")).to_have_attribute("aria-pressed", "true")
    expect(phone.locator("[data-attendance-status]")).to_contain_text("Geen verbinding")
    phone.wait_for_timeout(1000)
    assert stored_mark(ilse) is None
    expect(phone.locator("[data-count='absent']")).to_have_text("0")

    phone.context.set_offline(False)
    # The 'online' event sends it at once; the 15-second retry is the fallback.
    assert wait_until(phone, lambda: stored_mark(ilse) == Attendance.Status.ABSENT, timeout=20)
    expect(phone.locator("[data-count='absent']")).to_have_text("1")
    expect(phone.locator("[data-attendance-status]")).to_have_text("Opgeslagen.")
    queue = phone.evaluate("localStorage.getItem('attendance-queue:' + location.pathname)")
    assert queue == "[]"  # nothing left waiting in this browser


def test_attendance_buttons_fit_a_phone_screen(phone, live_server, attendance_session):
    session, _ = attendance_session
    log_in(phone, live_server)
    phone.goto(attendance_url(live_server, session))
    overflowing = phone.eval_on_selector_all(
        "button.mark",
        "buttons => buttons.filter(b => b.getBoundingClientRect().right > innerWidth)"
        ".map(b => b.textContent.trim())",
    )
    assert overflowing == []
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360


def test_without_javascript_a_tap_posts_and_comes_back_pressed(
    no_js, live_server, attendance_session
):
    session, (_, _, kees) = attendance_session
    log_in(no_js, live_server)
    no_js.goto(attendance_url(live_server, session))
    with no_js.expect_navigation():
        mark_button(no_js, kees, "Afgemeld").click()
    assert no_js.url.endswith(f"#p-{kees.pk}")
    expect(mark_button(no_js, kees, "Afgemeld")).to_have_attribute("aria-pressed", "true")
    assert stored_mark(kees) == Attendance.Status.EXCUSED
    expect(no_js.locator("[data-count='excused']")).to_have_text("1")


# Accessibility


@pytest.mark.parametrize("width", [1280, 360])
def test_no_axe_violations_on_the_group_form(browser, live_server, group_session, width):
    context, page = make_page(browser, width)
    try:
        page.goto(group_url(live_server, group_session))
        assert_accessible(page, f"group form at {width}px")
        page.get_by_role("button", name="Nog een collega toevoegen").click()
        expect(rows(page)).to_have_count(3)
        assert_accessible(page, f"group form with an added row at {width}px")
    finally:
        context.close()


def test_no_axe_violations_on_group_errors_and_result(desktop, live_server, group_session):
    desktop.goto(group_url(live_server, group_session))
    desktop.get_by_role("button", name="Collega's inschrijven").click()
    expect(desktop.get_by_role("alert")).to_contain_text("Controleer het formulier")
    assert_accessible(desktop, "group form with errors")
    fill_group_form(desktop)
    desktop.get_by_role("button", name="Collega's inschrijven").click()
    expect(desktop.get_by_role("heading", level=1)).to_have_text(
        "Bevestig je aanmelding via de e-mail"
    )
    assert_accessible(desktop, "group result")


def test_no_axe_violations_on_the_attendance_page(phone, live_server):
    session = SessionFactory(days=[-1, 0], trainer="trainer")
    people = [
        EnrolmentFactory(session=session, first_name=first, last_name=last)
        for first, last in [("Noor", "Bakker"), ("Ilse", "Claes"), ("Kees", "Dijkstra")]
    ]
    attendance_mark(
        enrolment_id=people[0].pk, day_id=session.days.last().pk, status="present", settle=False
    )
    log_in(phone, live_server)
    phone.goto(attendance_url(live_server, session))
    expect(phone.locator("[data-count='present']")).to_have_text("1")
    assert_accessible(phone, "attendance page at 360px")
