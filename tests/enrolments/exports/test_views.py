"""Coordinators' exports: what Excel, LibreOffice and the csv module see."""

import csv
import datetime
import io
import tracemalloc

import pytest
from django.contrib.auth.models import Group, User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from enrolments.exports.formats import Column, csv_stream, rows, xlsx_file
from enrolments.models import Enrolment
from tests.factories import CourseFactory, EnrolmentFactory, LocationFactory, SessionFactory

pytestmark = pytest.mark.django_db

HEADER = [
    "Sessie",
    "Training",
    "Datum",
    "Dagen en tijden",
    "Plaats",
    "Status",
    "Wachtlijstplaats",
    "Voornaam",
    "Achternaam",
    "E-mailadres",
    "Organisatie",
    "Functie",
    "Ingeschreven op",
]


def staff(name, group=None):
    user = User.objects.create_user(name, is_staff=True)
    if group:
        user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def coordinator(client):
    user = staff("coordinator", "Coördinatoren")
    client.force_login(user)
    return user


@pytest.fixture
def session():
    today = timezone.localdate()
    course = CourseFactory(title="Privacy in het IDO", slug="privacy-in-het-ido")
    session = SessionFactory(
        course=course,
        code="IDO-7",
        capacity=2,
        location=LocationFactory(name="Leerhuis", city="Utrecht"),
        days=[
            (today + datetime.timedelta(days=30), datetime.time(9, 30), datetime.time(12, 30)),
            (today + datetime.timedelta(days=37), datetime.time(13), datetime.time(16)),
        ],
    )
    EnrolmentFactory(
        session=session,
        first_name="Zoë",
        last_name="Hoëvenaars",
        organisation="Bibliothèque Saint-Gilles",
        job_title="Coördinator",
    )
    EnrolmentFactory(
        session=session,
        first_name='=HYPERLINK("http://x")',
        last_name="+1",
        organisation="-2",
        job_title="@SUM(A1)",
        email="f@example.org",
    )
    EnrolmentFactory(
        session=session, first_name="Piet", last_name='van "de" Berg, jr.', status="waitlisted"
    )
    EnrolmentFactory(session=session, first_name="Weg", status="cancelled")
    return session


def csv_rows(response) -> list[list[str]]:
    content = b"".join(response.streaming_content).decode("utf-8")
    assert content.startswith("\ufeff")
    assert "\r\n" in content
    return list(csv.reader(io.StringIO(content[1:], newline="")))


def test_csv_export(client, coordinator, session):
    response = client.get(reverse("enrolments:export-csv", args=[session.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    day = timezone.localdate() + datetime.timedelta(days=30)
    assert response["Content-Disposition"] == (
        f'attachment; filename="inschrijvingen-privacy-in-het-ido-{day:%Y-%m-%d}.csv"'
    )
    header, *data = csv_rows(response)
    assert header == HEADER
    assert len(data) == 4
    zoe = data[0]
    assert zoe[:6] == [
        "IDO-7",
        "Privacy in het IDO",
        day.strftime("%d-%m-%Y"),
        f"{day:%d-%m-%Y} 09:30–12:30; {day + datetime.timedelta(days=7):%d-%m-%Y} 13:00–16:00",
        "Leerhuis, Utrecht",
        "Ingeschreven",
    ]
    assert zoe[7:12] == ["Zoë", "Hoëvenaars", zoe[9], "Bibliothèque Saint-Gilles", "Coördinator"]
    assert datetime.datetime.strptime(zoe[12], "%d-%m-%Y %H:%M")
    formula = data[1]
    assert formula[7:12] == ['\'=HYPERLINK("http://x")', "'+1", "f@example.org", "'-2", "'@SUM(A1)"]
    waiting = data[2]
    assert (waiting[5], waiting[6], waiting[8]) == ("Wachtlijst", "1", 'van "de" Berg, jr.')
    assert data[3][5] == "Geannuleerd"


def test_csv_export_with_semicolons_for_dutch_excel(client, coordinator, session):
    response = client.get(
        reverse("enrolments:export-csv", args=[session.pk]), {"delimiter": "semicolon"}
    )
    content = b"".join(response.streaming_content).decode("utf-8")
    assert content.splitlines()[0] == "\ufeff" + ";".join(HEADER)


def test_xlsx_export(client, coordinator, session):
    response = client.get(reverse("enrolments:export-xlsx", args=[session.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('.xlsx"')
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    sheet = workbook.active
    assert sheet.title == "Privacy in het IDO"
    assert sheet.freeze_panes == "A2"
    assert [cell.value for cell in sheet[1]] == HEADER
    assert all(cell.font.bold for cell in sheet[1])
    assert sheet.column_dimensions["B"].width == 40
    assert sheet.max_row == 5
    zoe = sheet[2]
    day = timezone.localdate() + datetime.timedelta(days=30)
    assert zoe[2].is_date and zoe[2].value.date() == day
    assert zoe[2].number_format == "DD-MM-YYYY"
    assert zoe[12].is_date and zoe[12].number_format == "DD-MM-YYYY HH:MM"
    assert (zoe[7].value, zoe[8].value, zoe[10].value) == (
        "Zoë",
        "Hoëvenaars",
        "Bibliothèque Saint-Gilles",
    )
    formula = sheet[3]
    assert formula[7].value == '\'=HYPERLINK("http://x")'
    assert formula[7].data_type == "s"  # text, never a formula
    assert sheet[4][6].value == 1


def assert_ready_to_filter_and_print(sheet, last_column: str, last_row: int) -> None:
    """What Excel and LibreOffice show: a filter on every column over the header and all
    rows, the header frozen and repeated on every printed page, A4 landscape, one page wide."""
    assert sheet.auto_filter.ref == f"A1:{last_column}{last_row}"
    assert sheet.freeze_panes == "A2"
    assert sheet.print_title_rows == "$1:$1"
    assert sheet.page_setup.orientation == "landscape"
    assert sheet.page_setup.paperSize == 9  # A4 in the OOXML numbering
    assert (sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight) == (1, 0)
    assert sheet.sheet_properties.pageSetUpPr.fitToPage is True
    assert sheet.oddFooter.right.text == "&P / &N"


def export_kind(client, kind: str, session):
    if kind == "session":
        return client.get(reverse("enrolments:export-xlsx", args=[session.pk]))
    if kind == "selected sessions":
        return client.post(
            reverse("admin:trainings_session_changelist"),
            {"action": "export_xlsx", "_selected_action": [session.pk, SessionFactory().pk]},
        )
    assert kind == "enrolment list"
    url = reverse("admin:enrolments_enrolment_export", args=["xlsx"])
    return client.get(url, {"session__id__exact": session.pk})


@pytest.mark.parametrize("kind", ["session", "selected sessions", "enrolment list"])
def test_every_xlsx_export_has_a_filter_and_prints_on_a4_landscape(client, session, kind):
    client.force_login(staff("adviseur", "POI-adviseurs"))
    response = export_kind(client, kind, session)
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    assert sheet.max_row == 5  # the header and the session's four enrolments
    assert_ready_to_filter_and_print(sheet, "M", 5)


def test_an_empty_xlsx_export_filters_its_header_row(client, coordinator):
    response = client.get(reverse("enrolments:export-xlsx", args=[SessionFactory().pk]))
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    assert sheet.max_row == 1
    assert_ready_to_filter_and_print(sheet, "M", 1)


def test_sheet_title_loses_characters_excel_refuses(client, coordinator):
    session = SessionFactory(
        course=CourseFactory(title="Vraag/antwoord: [IDO]? * deel 2 van een lange reeks")
    )
    response = client.get(reverse("enrolments:export-xlsx", args=[session.pk]))
    title = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active.title
    assert len(title) <= 31 and not set(title) & set("[]:*?/\\")


@pytest.mark.parametrize("name", ["export-csv", "export-xlsx", "attendance-list"])
def test_anonymous_is_sent_to_log_in(client, name):
    session = SessionFactory()
    response = client.get(reverse(f"enrolments:{name}", args=[session.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login") + "?next=")


@pytest.mark.parametrize("name", ["export-csv", "export-xlsx", "attendance-list"])
def test_logged_in_without_permission_gets_403(client, name):
    client.force_login(staff("medewerker"))
    response = client.get(reverse(f"enrolments:{name}", args=[SessionFactory().pk]))
    assert response.status_code == 403


@pytest.mark.parametrize("group", ["Coördinatoren", "POI-adviseurs"])
@pytest.mark.parametrize("name", ["export-csv", "export-xlsx", "attendance-list"])
def test_coordinators_and_advisers_may_export(client, group, name):
    client.force_login(staff("iemand", group))
    assert client.get(reverse(f"enrolments:{name}", args=[SessionFactory().pk])).status_code == 200


def test_unknown_session_is_404(client, coordinator):
    assert client.get(reverse("enrolments:export-csv", args=[999999])).status_code == 404


def test_attendance_list_has_registered_people_sorted_and_a_column_per_day(client, coordinator):
    session = SessionFactory(days=[10, 11], trainer="Cybersoek", capacity=4)
    for last_name in ["de Groot", "Bakker", "van Dijk", "De Smet"]:
        EnrolmentFactory(session=session, last_name=last_name)
    EnrolmentFactory(session=session, last_name="Wachter", status="waitlisted")
    html = client.get(reverse("enrolments:attendance-list", args=[session.pk])).content.decode()
    order = [html.index(name) for name in ["Bakker", "De Smet", "van Dijk", "de Groot"]]
    assert order == sorted(order)  # Dutch order: particles in lower case do not count
    assert "Wachter" not in html
    assert html.count("Handtekening") == 2
    assert "Cybersoek" in html and "Presentielijst" in html


def consume(response):
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


@pytest.mark.parametrize("name", ["export-csv", "export-xlsx", "attendance-list"])
def test_export_query_count_does_not_grow(client, coordinator, name, django_assert_max_num_queries):
    session = SessionFactory(days=[10, 17], capacity=25)
    EnrolmentFactory(session=session)
    url = reverse(f"enrolments:{name}", args=[session.pk])
    with CaptureQueriesContext(connection) as one:
        consume(client.get(url))
    EnrolmentFactory.create_batch(24, session=session)
    EnrolmentFactory.create_batch(25, session=session, status="waitlisted")
    with CaptureQueriesContext(connection) as fifty:
        consume(client.get(url))
    assert len(fifty) == len(one)
    # session, user, two permission lookups, then at most the session, its days and the rows
    with django_assert_max_num_queries(7):
        consume(client.get(url))


def peak_memory(function) -> int:
    tracemalloc.start()
    try:
        function()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize(
    "fmt, small_size, large_size", [("csv", 3000, 15000), ("xlsx", 2000, 8000)]
)
def test_export_memory_stays_flat_as_the_list_grows(fmt, small_size, large_size):
    session = SessionFactory(capacity=100000, days=[10, 11])

    def fill(count):
        Enrolment.objects.bulk_create(
            Enrolment(
                session=session,
                first_name=f"Persoon {i}",
                last_name="Jansen",
                email=f"p{i}-{count}@example.org",
                organisation="Bibliotheek Utrecht",
                organisation_key="bibliotheek utrecht",
                status="waitlisted" if i % 5 == 0 else "registered",
            )
            for i in range(count)
        )

    def export():
        enrolments = Enrolment.objects.filter(session=session)
        if fmt == "csv":
            for _chunk in csv_stream(rows(enrolments)):
                pass
        else:
            xlsx_file(rows(enrolments), "Test").close()

    fill(small_size)  # more than one fetch from the database
    export()  # the first export also pays for imports
    small = peak_memory(export)
    fill(large_size - small_size)
    large = peak_memory(export)
    # Four or five times the rows may not take noticeably more memory. (Keeping every row
    # would cost several megabytes more; 1 MB of slack absorbs the allocator's noise.)
    assert large < small + 1024 * 1024, (small, large)


# -- Formulas hidden behind the other delimiter (Dutch Excel splits a comma file on ";") ------

HOSTILE = [
    "a;=6+6",
    "a,=6+6",
    "a; =6+6",
    "Jansen;+31 6",
    "x;-2;@SUM(A1)",
    "\uff1dHYPERLINK(1)",
    "a;\uff0b1",
    "\t=1",
    "a;\r=1",
]
TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")
FORMULA_STARTS = tuple(t for t in TRIGGERS if not t.isspace())


def dangerous_cells(content: str) -> list[str]:
    """Cells a spreadsheet would run, splitting the file on either delimiter."""
    found = []
    for delimiter in ",;":
        for row in csv.reader(io.StringIO(content, newline=""), delimiter=delimiter):
            found += [cell for cell in row if cell.lstrip(' \t\r\n"').startswith(FORMULA_STARTS)]
    return found


@pytest.mark.parametrize("delimiter", ["comma", "semicolon"])
def test_a_formula_behind_a_delimiter_is_harmless_in_either_excel(client, coordinator, delimiter):
    session = SessionFactory()
    for index, name in enumerate(HOSTILE):
        EnrolmentFactory(session=session, last_name=name, organisation=name, email=f"p{index}@x.nl")
    response = client.get(
        reverse("enrolments:export-csv", args=[session.pk]), {"delimiter": delimiter}
    )
    content = b"".join(response.streaming_content).decode("utf-8")[1:]
    assert dangerous_cells(content) == []
    last_names = [row[8] for row in csv_rows_from(content, delimiter)[1:]]
    assert "'a;'=6+6" in last_names  # still readable: only apostrophes were added
    assert all(name.startswith("'") for name in last_names)


def csv_rows_from(content: str, delimiter: str) -> list[list[str]]:
    return list(
        csv.reader(
            io.StringIO(content, newline=""), delimiter=";" if delimiter == "semicolon" else ","
        )
    )


cell_text = st.text(
    alphabet=st.sampled_from(list("ab ;,\"'=+-@\t\r\n") + list(TRIGGERS[6:])), max_size=12
)


@hypothesis_settings(max_examples=300, deadline=None)
@given(st.lists(cell_text, min_size=1, max_size=3))
def test_neutralised_text_never_starts_a_formula_under_either_delimiter(cells):
    columns = [Column(f"c{i}", "kop", 1) for i in range(len(cells))]
    for delimiter in ",;":
        content = "".join(csv_stream([cells], delimiter=delimiter, cols=columns))
        assert dangerous_cells(content.removeprefix("\ufeff")) == [], (cells, delimiter)


def test_xlsx_text_cells_are_text_and_neutralised(client, coordinator):
    session = SessionFactory()
    EnrolmentFactory(session=session, last_name="a;=6+6", organisation="\uff1d1+1")
    response = client.get(reverse("enrolments:export-xlsx", args=[session.pk]))
    row = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active[2]
    assert (row[8].value, row[8].data_type) == ("'a;'=6+6", "s")
    assert (row[10].value, row[10].data_type) == ("'\uff1d1+1", "s")
