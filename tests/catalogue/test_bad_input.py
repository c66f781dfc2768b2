"""Hostile input answers 4xx, never 500: a wrong Host header, NUL bytes, absurd dates."""

import datetime

import pytest
from django.contrib.auth.models import User
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from enrolments.places.tokens import self_service_path
from tests.factories import EnrolmentFactory, LocationFactory, SessionFactory
from trainings.models import Session

pytestmark = pytest.mark.django_db


@pytest.fixture
def production_errors(client):
    """Exceptions become error pages, as in production (DEBUG off), instead of being raised."""
    client.raise_request_exception = False
    return client


@override_settings(DEBUG=False, ALLOWED_HOSTS=["testserver"])
@pytest.mark.parametrize("path", ["/", "/trainingen/", "/sessies.ics", "/admin/login/"])
def test_an_unknown_host_gets_the_400_page(production_errors, path):
    response = production_errors.get(path, HTTP_HOST="evil.example")
    assert response.status_code == 400
    html = response.content.decode()
    assert "Dit verzoek klopt niet" in html
    assert "evil.example" not in html  # the page never echoes the forged host


@override_settings(DEBUG=False, ALLOWED_HOSTS=["testserver"])
def test_the_400_page_for_an_unknown_host_is_english_under_english(production_errors):
    response = production_errors.get("/en/", HTTP_HOST="evil.example")
    assert response.status_code == 400
    assert "This request is not valid" in response.content.decode()


@pytest.mark.parametrize("value", ["%00", "a%00b", "%00%00"])
def test_calendar_with_a_nul_byte_in_the_course_is_not_a_500(production_errors, value):
    SessionFactory()
    response = production_errors.get("/sessies.ics", QUERY_STRING=f"course={value}")
    assert response.status_code == 200  # the NUL is dropped from query values


def test_a_nul_byte_in_the_path_is_a_bad_request(production_errors):
    response = production_errors.get("/inschrijving/a%00b/")
    assert response.status_code == 400
    assert "Dit verzoek klopt niet" in response.content.decode()


@pytest.fixture
def superuser(client):
    user = User.objects.create_superuser("beheer", "beheer@example.org", "x")
    client.force_login(user)
    client.raise_request_exception = False
    return user


def test_cost_overview_with_the_last_possible_end_date_is_not_a_500(client, superuser):
    url = reverse("admin:cost-overview")
    for end in ["9999-12-31", "9999-12-30", "0001-01-01"]:
        response = client.get(url, {"start": "2026-01-01", "end": end})
        assert response.status_code == 400, end
        assert "Kies een datum tussen 01-01-2000 en 31-12-2100" in response.content.decode()
    response = client.get(url, {"start": "0001-01-01", "end": "9999-12-31", "format": "csv"})
    assert response.status_code in {200, 400}


@pytest.mark.parametrize("city", ["%00", "Utrecht%00", "%00%00x"])
def test_session_changelist_with_a_nul_byte_city_is_not_a_500(client, superuser, city):
    SessionFactory(location=LocationFactory(city="Utrecht"))
    url = reverse("admin:trainings_session_changelist")
    response = client.get(url, QUERY_STRING=f"city={city}")
    assert response.status_code in {200, 302}


def duplicate(client, session, first_day):
    return client.post(
        reverse("admin:trainings_session_changelist"),
        {"action": "duplicate", "_selected_action": [session.pk], "first_day": first_day},
    )


@pytest.mark.parametrize(
    "first_day",
    [
        "0001-01-01",
        "9999-12-31",
        "9999-12-25",
        (timezone.localdate() - datetime.timedelta(days=1)).isoformat(),
        (timezone.localdate() + datetime.timedelta(days=6 * 366)).isoformat(),
    ],
)
def test_duplicating_a_session_outside_a_sane_range_is_refused(client, superuser, first_day):
    session = SessionFactory(days=[10, 11])
    response = duplicate(client, session, first_day)
    assert response.status_code == 200
    assert Session.objects.count() == 1
    html = response.content.decode()
    assert "Kies een eerste dag" in html


def test_duplicating_a_session_within_five_years_still_works(client, superuser):
    session = SessionFactory(days=[10])
    first_day = timezone.localdate() + datetime.timedelta(days=4 * 365)
    response = duplicate(client, session, first_day.isoformat())
    assert response.status_code == 302
    add_form = client.get(response["Location"])
    assert add_form.context["inline_admin_formsets"][0].formset.forms[0].initial["date"] == (
        first_day
    )
    from tests.trainings.test_admin import session_post

    data = session_post(session.course, session.location, **{"days-0-date": first_day.isoformat()})
    assert client.post(response["Location"], data).status_code == 302
    copy = Session.objects.exclude(pk=session.pk).get()
    enrolment = EnrolmentFactory(session=copy)
    assert client.get(self_service_path(enrolment)).status_code == 200


@pytest.mark.parametrize(
    ("changelist", "field"),
    [
        ("admin:enrolments_enrolment_changelist", "created_at"),
        ("admin:enrolments_enrolmentgroup_changelist", "created_at"),
        ("admin:trainings_session_changelist", "starts_at"),
    ],
)
@pytest.mark.parametrize(
    "dates",
    [
        {"year": "99999999999999999999"},
        {"year": "9999"},
        {"year": "9999", "month": "12", "day": "31"},
        {"year": "2026", "month": "99999999999999999999"},
    ],
)
def test_an_absurd_date_hierarchy_reloads_the_list_instead_of_failing(
    client, superuser, changelist, field, dates
):
    url = reverse(changelist)
    response = client.get(url, {f"{field}__{part}": value for part, value in dates.items()})
    assert response.status_code == 302
    assert response["Location"] == f"{url}?e=1"


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01", "1999-12-31"])
def test_planning_a_session_on_an_absurd_date_is_refused(client, superuser, day):
    from tests.factories import CourseFactory
    from tests.trainings.test_admin import session_post

    data = session_post(CourseFactory(), LocationFactory(), **{"days-0-date": day})
    data["registration_deadline_0"] = "2026-01-01"
    data["registration_deadline_1"] = "09:00"
    response = client.post(reverse("admin:trainings_session_add"), data)
    assert response.status_code == 200
    assert "hoogstens 5 jaar vooruit" in response.content.decode()
    assert not Session.objects.exists()
