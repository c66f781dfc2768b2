"""The cost overview per organisation and period, on the page and as files for finance."""

import datetime
import io
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

from enrolments.models import Organisation, organisation_key
from enrolments.settlement.attendance import attendance_mark
from enrolments.settlement.costs import session_costs_settle
from tests.factories import EnrolmentFactory, SessionFactory
from trainings.models import Price

pytestmark = pytest.mark.django_db

URL = reverse("admin:cost-overview")


@pytest.fixture
def coordinator(client, django_user_model):
    user = django_user_model.objects.create_user("coordinator", is_staff=True)
    user.groups.add(Group.objects.get(name="Coördinatoren"))
    client.force_login(user)
    return user


def settled_session(days_ago: int = 5, people=(("Bibliotheek Gouda", True),)):
    """A session that took place, with a price of € 25 that municipalities do not pay."""
    session = SessionFactory(days=[-days_ago])
    Price.objects.create(course=session.course, kind="per_participant", amount=Decimal("25"))
    Price.objects.create(
        course=session.course,
        kind="free_under_condition",
        condition="Gratis voor gemeenten",
        eligible_types=["municipality"],
    )
    day = session.days.get()
    for index, (organisation, present) in enumerate(people):
        kind = "library" if organisation.startswith("Bibliotheek") else "municipality"
        Organisation.objects.get_or_create(
            key=organisation_key(organisation),
            defaults={"name": organisation, "type": kind, "country": "NL"},
        )
        enrolment = EnrolmentFactory(
            session=session, organisation=organisation, last_name=f"Naam{index}"
        )
        attendance_mark(
            enrolment_id=enrolment.pk,
            day_id=day.pk,
            status="present" if present else "absent",
            settle=False,
        )
    session_costs_settle(session_id=session.pk)
    return session


def period(**extra) -> dict:
    today = timezone.localdate()
    return {
        "start": (today - datetime.timedelta(days=60)).isoformat(),
        "end": today.isoformat(),
        **extra,
    }


def test_only_people_who_may_export_see_costs(client, django_user_model):
    assert client.get(URL).status_code == 302  # to the login page
    client.force_login(django_user_model.objects.create_user("x", is_staff=True))
    assert client.get(URL).status_code == 403


def test_the_page_groups_people_per_organisation_with_the_amount_due(client, coordinator):
    settled_session(
        people=[("Bibliotheek Gouda", True), ("Bibliotheek Gouda", False), ("Gemeente Gouda", True)]
    )
    html = client.get(URL, period()).content.decode()
    assert "Bibliotheek Gouda" in html and "Gemeente Gouda" in html
    assert "Te betalen: €\u00a050,00" in html  # two library staff at € 25
    assert "Te betalen: €\u00a00,00" in html
    assert "Totaal in rekening te brengen: €\u00a050,00" in html
    assert "Organisatie komt niet in aanmerking" in html


def test_the_default_period_is_this_quarter(client, coordinator):
    response = client.get(URL)
    assert response.status_code == 200
    today = timezone.localdate()
    first = today.replace(month=3 * ((today.month - 1) // 3) + 1, day=1)
    assert f'value="{first.isoformat()}"' in response.content.decode()


def test_a_period_that_ends_before_it_starts_is_refused(client, coordinator):
    response = client.get(URL, {"start": "2026-05-01", "end": "2026-04-01"})
    assert response.status_code == 400
    assert "De einddatum ligt voor de begindatum." in response.content.decode()


def test_filtering_by_organisation_and_period(client, coordinator):
    settled_session(days_ago=5, people=[("Bibliotheek Gouda", True)])
    settled_session(days_ago=5, people=[("Bibliotheek Delft", True)])
    settled_session(days_ago=200, people=[("Bibliotheek Gouda", True)])
    gouda = Organisation.objects.get(key="bibliotheek gouda")
    html = client.get(URL, period(organisation=gouda.pk)).content.decode()
    assert "Naam0" in html
    assert "<h2>Bibliotheek Delft" not in html
    assert html.count("<tr>") == 2  # the header and one person: the old session is outside


def test_the_excel_file_for_finance(client, coordinator):
    from openpyxl import load_workbook

    settled_session(people=[("Bibliotheek Gouda", False), ("Gemeente Gouda", True)])
    response = client.get(URL, period(format="xlsx"))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="kosten-alle-')
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    header = rows[0]
    assert header[:3] == ("Organisatie", "Soort organisatie", "Land")
    assert "Bedrag (€)" in header and "Aanwezigheid (%)" in header
    by_org = {row[0]: dict(zip(header, row, strict=True)) for row in rows[1:]}
    library = by_org["Bibliotheek Gouda"]
    assert (library["Kosten"], library["Bedrag (€)"]) == ("Deelnemersprijs", 25)
    assert library["Aanwezigheid (%)"] == 0
    municipality = by_org["Gemeente Gouda"]
    assert (municipality["Kosten"], municipality["Bedrag (€)"]) == ("Gratis", 0)
    assert municipality["Soort organisatie"] == "Gemeente"
    assert municipality["Reden"] == "Voldoet aan de voorwaarde"


def test_the_excel_file_for_finance_has_a_filter_and_prints_on_a4_landscape(client, coordinator):
    from openpyxl import load_workbook

    from tests.enrolments.exports.test_views import assert_ready_to_filter_and_print

    settled_session(people=[("Bibliotheek Gouda", False), ("Gemeente Gouda", True)])
    response = client.get(URL, period(format="xlsx"))
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    assert sheet.max_row == 3
    assert_ready_to_filter_and_print(sheet, "Q", 3)  # 17 columns, header and two people


def test_the_csv_for_dutch_excel_uses_a_decimal_comma(client, coordinator):
    settled_session(people=[("Bibliotheek Gouda", True)])
    response = client.get(URL, period(format="csv", delimiter="semicolon"))
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    header, line = text.splitlines()[:2]
    assert header.startswith("Organisatie;Soort organisatie;Land;")
    assert ";25,00;" in line


@pytest.mark.parametrize("sessions", [1, 6])
def test_the_export_needs_the_same_queries_for_few_or_many(
    client, coordinator, sessions, django_assert_max_num_queries
):
    for _ in range(sessions):
        settled_session(people=[("Bibliotheek Gouda", True), ("Bibliotheek Delft", False)])
    with django_assert_max_num_queries(8):
        response = client.get(URL, period(format="csv"))
        b"".join(response.streaming_content)
    with django_assert_max_num_queries(8):
        assert client.get(URL, period()).status_code == 200


def test_the_overview_is_on_the_admin_index_for_coordinators(client, coordinator):
    assert URL in client.get(reverse("admin:index")).content.decode()
