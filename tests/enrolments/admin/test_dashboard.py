"""The advisers' workplace in the admin, admin exports and who may do what."""

import datetime
import io

import pytest
from django.contrib.auth.models import Group, User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from enrolments.models import Enrolment, Interest, SessionRequest
from tests.factories import (
    CourseFactory,
    EnrolmentFactory,
    InterestFactory,
    SessionFactory,
    SessionRequestFactory,
)

pytestmark = pytest.mark.django_db

WORKPLACE = "/admin/werkplek/"


def login(client, name, group=None, **extra):
    user = User.objects.create_user(name, is_staff=True, **extra)
    if group:
        user.groups.add(Group.objects.get(name=group))
    client.force_login(user)
    return user


def workplace(client, **params) -> str:
    login(client, "adviseur", "POI-adviseurs")
    return client.get(WORKPLACE, params).content.decode()


def test_workplace_flags_a_session_at_risk(client):
    at_risk = SessionFactory(
        course=CourseFactory(title="Loopt gevaar"),
        days=[6],
        min_participants=5,
        registration_deadline=timezone.now() + datetime.timedelta(days=2),
    )
    EnrolmentFactory(session=at_risk)
    html = workplace(client)
    assert "Loopt gevaar" in html and "in gevaar: nog 4 nodig" in html


def full_session_with_waiting_list():
    full = SessionFactory(course=CourseFactory(title="Vol met wachtlijst"), capacity=1, days=[20])
    EnrolmentFactory(session=full)
    EnrolmentFactory(session=full, status="waitlisted")
    return full


def test_workplace_suggests_another_session_for_a_full_one(client):
    full = full_session_with_waiting_list()
    html = workplace(client)
    assert "Vol met wachtlijst" in html and "Plan nog een sessie" in html
    assert f"{reverse('admin:trainings_session_add')}?course={full.course_id}" in html


def test_workplace_fill_bar_is_backed_by_text(client):
    full_session_with_waiting_list()
    html = workplace(client)
    # The fill bar is backed by text, never by colour alone.
    assert "1 van 1" in html and "1 wachtend" in html and "<meter" in html


def test_workplace_shows_eight_weeks_unless_asked_for_more(client):
    SessionFactory(course=CourseFactory(title="Ver weg"), days=[120])
    assert "Ver weg" not in workplace(client)  # beyond the default eight weeks
    assert "Ver weg" in client.get(WORKPLACE, {"weeks": 26}).content.decode()


def test_workplace_lists_interest_and_session_requests(client):
    waiting_for = CourseFactory(title="Nog geen sessie")
    InterestFactory(course=waiting_for)
    SessionRequestFactory(course=waiting_for, organisation="OCMW Evere", participants=9)
    html = workplace(client)
    assert "Nog geen sessie" in html and "1 persoon wacht" in html
    assert "OCMW Evere" in html


@pytest.mark.parametrize("weeks", ["veel", "-1", "5"])
def test_workplace_shows_the_default_eight_weeks_for_a_bad_period(client, weeks):
    login(client, "adviseur", "POI-adviseurs")
    SessionFactory(course=CourseFactory(title="Binnen acht weken"), days=[50])
    SessionFactory(course=CourseFactory(title="Na acht weken"), days=[60])
    response = client.get(WORKPLACE, {"weeks": weeks})
    assert response.status_code == 200
    assert response.context["weeks"] == 8
    html = response.content.decode()
    assert "Binnen acht weken" in html and "Na acht weken" not in html


def test_workplace_query_count_does_not_grow(client, django_assert_max_num_queries):
    login(client, "adviseur", "POI-adviseurs")
    SessionFactory()
    with CaptureQueriesContext(connection) as few:
        client.get(WORKPLACE)
    for i in range(30):
        session = SessionFactory(days=[5 + i], min_participants=3)
        EnrolmentFactory(session=session)
        Interest.objects.create(
            course=CourseFactory(), email=f"{i}@x.org", consent_at=timezone.now()
        )
    with CaptureQueriesContext(connection) as many:
        client.get(WORKPLACE)
    assert len(many) == len(few)
    with django_assert_max_num_queries(8):
        client.get(WORKPLACE)


def test_workplace_is_linked_from_the_admin_index(client):
    login(client, "adviseur", "POI-adviseurs")
    assert WORKPLACE in client.get(reverse("admin:index")).content.decode()


def test_workplace_needs_a_staff_login_and_the_view_permission(client):
    assert client.get(WORKPLACE).status_code == 302
    login(client, "medewerker")
    assert client.get(WORKPLACE).status_code == 403


def test_coordinator_sees_the_workplace(client):
    login(client, "coordinator", "Coördinatoren")
    assert client.get(WORKPLACE).status_code == 200


def test_export_selected_sessions_from_the_admin(client):
    login(client, "adviseur", "POI-adviseurs")
    first, second, other = SessionFactory(), SessionFactory(), SessionFactory()
    for session in (first, second, other):
        EnrolmentFactory(session=session)
    response = client.post(
        reverse("admin:trainings_session_changelist"),
        {"action": "export_xlsx", "_selected_action": [first.pk, second.pk]},
    )
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    assert sheet.max_row == 3
    assert sheet.title == "Inschrijvingen"  # two courses


def test_export_the_filtered_enrolment_list(client):
    login(client, "coordinator", "Coördinatoren")
    session = SessionFactory(capacity=1)
    EnrolmentFactory(session=session, organisation="Bieb Oost")
    EnrolmentFactory(session=session, status="waitlisted", organisation="Bieb West")
    EnrolmentFactory(session=session, status="waitlisted", organisation="Bieb Oost")
    changelist = client.get(
        reverse("admin:enrolments_enrolment_changelist"),
        {"status__exact": "waitlisted", "q": "Oost"},
    ).content.decode()
    assert "Deze lijst naar Excel" in changelist
    url = reverse("admin:enrolments_enrolment_export", args=["csv"])
    response = client.get(url, {"status__exact": "waitlisted", "q": "Oost"})
    lines = b"".join(response.streaming_content).decode("utf-8").splitlines()
    assert len(lines) == 2 and "Bieb Oost" in lines[1] and "Wachtlijst" in lines[1]


def test_filtered_export_refused_without_the_permission(client):
    user = login(client, "kijker")
    from django.contrib.auth.models import Permission

    user.user_permissions.add(Permission.objects.get(codename="view_enrolment"))
    url = reverse("admin:enrolments_enrolment_export", args=["csv"])
    assert client.get(url).status_code == 403
    assert (
        "Deze lijst naar Excel"
        not in client.get(reverse("admin:enrolments_enrolment_changelist")).content.decode()
    )


def test_coordinator_changes_nothing(client):
    login(client, "coordinator", "Coördinatoren")
    enrolment = EnrolmentFactory()
    change = reverse("admin:enrolments_enrolment_change", args=[enrolment.pk])
    assert client.get(change).status_code == 200  # may look
    client.post(
        change, {"first_name": "Anders", "last_name": "X", "email": "x@x.org", "job_title": ""}
    )
    enrolment.refresh_from_db()
    assert enrolment.first_name != "Anders"
    assert client.get(reverse("admin:enrolments_enrolment_add")).status_code == 403
    page = client.get(reverse("admin:enrolments_enrolment_changelist")).content.decode()
    assert 'value="cancel"' not in page and 'value="export_xlsx"' in page
    url = reverse("admin:enrolments_enrolment_changelist")
    client.post(url, {"action": "cancel", "_selected_action": [enrolment.pk], "confirm": "1"})
    enrolment.refresh_from_db()
    assert enrolment.status == "registered"
    session = enrolment.session
    assert (
        client.post(reverse("admin:trainings_session_change", args=[session.pk]), {}).status_code
        == 403
    )
    course_change = reverse("admin:trainings_course_change", args=[session.course.pk])
    assert client.post(course_change, {"title": "Anders"}).status_code == 403


@pytest.mark.parametrize("group", ["POI-adviseurs", "Coördinatoren"])
def test_nobody_but_superusers_reaches_users_and_groups(client, group):
    login(client, "iemand", group)
    assert client.get(reverse("admin:auth_user_changelist")).status_code == 403
    assert client.get(reverse("admin:auth_group_changelist")).status_code == 403


def test_session_page_links_attendance_list_and_exports(client):
    login(client, "adviseur", "POI-adviseurs")
    session = SessionFactory()
    html = client.get(reverse("admin:trainings_session_change", args=[session.pk])).content.decode()
    for name in ("attendance-list", "export-xlsx", "export-csv"):
        assert reverse(f"enrolments:{name}", args=[session.pk]) in html


def test_demo_accounts_can_log_in_to_their_workplace(client):
    from django.core.management import call_command

    call_command("demo", stdout=io.StringIO())
    for username, password in [("adviseur", "adviseur-demo"), ("coordinator", "coordinator-demo")]:
        assert client.login(username=username, password=password)
        assert client.get(WORKPLACE).status_code == 200
        client.logout()
    assert Enrolment.objects.exists()


def test_coordinator_sees_no_links_that_end_in_a_refusal(client):
    import re

    full = SessionFactory(course=CourseFactory(title="Vol met wachtlijst"), capacity=1, days=[20])
    EnrolmentFactory(session=full)
    EnrolmentFactory(session=full, status="waitlisted")
    waiting_for = CourseFactory(title="Nog geen sessie")
    Interest.objects.create(course=waiting_for, email="a@x.org", consent_at=timezone.now())
    SessionRequest.objects.create(
        course=waiting_for,
        organisation="OCMW Evere",
        contact_name="E",
        email="e@x.org",
        participants=9,
    )
    login(client, "coordinator", "Coördinatoren")
    html = client.get(WORKPLACE).content.decode()
    assert "Vol met wachtlijst" in html and "OCMW Evere" in html
    assert "Plan nog een sessie" not in html
    assert reverse("admin:trainings_session_add") not in html
    links = set(re.findall(r'href="(/admin/[^"#]*)"', html.replace("&amp;", "&")))
    assert links
    for link in links:
        assert client.get(link).status_code != 403, link
