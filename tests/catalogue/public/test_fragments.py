"""Home and course pages come from a kept skeleton whose places are filled on every request:
a repeat visit costs one query and still shows the places, open/closed and status of now."""

import datetime
import json
import re
from unittest import mock

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from enrolments.places import services
from tests.factories import CourseFactory, SessionFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("skeletons_only")]

HOME = reverse("catalogue:home")


@pytest.fixture
def skeletons_only(settings):
    """Without the page cache, so only the skeletons can make a visit cheap."""
    settings.CACHE_PAGES = False


# The page's ETag and Last-Modified (one query: catalogue/http/conditional.py), besides the
# page's own queries.
VALIDATORS = 1


def visit(client, url) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200
    return len(context), response.content.decode()


def enrol(session, email: str) -> None:
    services.enrolment_create(
        session_id=session.pk, first_name="A", last_name="B", email=email, organisation="Bieb"
    )


def later(**delta):
    return at(timezone.now() + datetime.timedelta(**delta))


def at(moment):
    return mock.patch("django.utils.timezone.now", return_value=moment)


def today_at(hour: int) -> datetime.datetime:
    """Today at `hour` local time: a test that moves the clock by hours stays on one day,
    whatever the hour it runs at (the course page's skeleton is kept per day)."""
    return timezone.make_aware(datetime.datetime.combine(timezone.localdate(), datetime.time(hour)))


def structured_data(html: str) -> dict:
    return json.loads(
        re.search(r'<script type="application/ld\+json">(.*?)</script>', html).group(1)
    )


@pytest.mark.parametrize("url", ["course", HOME])
def test_a_repeat_visit_costs_one_query_and_gives_the_same_page(client, url):
    session = SessionFactory(capacity=5)
    url = session.course.get_absolute_url() if url == "course" else url
    first_count, first = visit(client, url)
    again_count, again = visit(client, url)
    assert first_count > VALIDATORS + 1
    assert again_count == VALIDATORS + 1
    assert again == first


@pytest.mark.parametrize("url", ["course", HOME])
def test_an_enrolment_shows_at_once_on_a_kept_skeleton(client, url):
    session = SessionFactory(capacity=5, min_participants=3)
    url = session.course.get_absolute_url() if url == "course" else url
    assert "Nog 5 plaatsen vrij" in visit(client, url)[1]
    enrol(session, "a@example.org")
    count, html = visit(client, url)
    assert (
        count == VALIDATORS + 1
    )  # the skeleton was kept: enrolments do not change the catalogue version
    assert "Nog 4 plaatsen vrij" in html
    assert "Gaat door bij minimaal 3 inschrijvingen (nu 1)" in html


def test_the_last_place_taken_shows_the_waiting_list_and_the_structured_data_follows(client):
    session = SessionFactory(capacity=1)
    url = session.course.get_absolute_url()
    html = visit(client, url)[1]
    [instance] = structured_data(html)["hasCourseInstance"]
    assert instance["remainingAttendeeCapacity"] == 1
    enrol(session, "a@example.org")
    count, html = visit(client, url)
    assert count == VALIDATORS + 1
    assert "Vol — schrijf je in voor de wachtlijst" in html
    assert "Op de wachtlijst" in html
    [instance] = structured_data(html)["hasCourseInstance"]
    assert instance["remainingAttendeeCapacity"] == 0


def test_a_deadline_passing_closes_the_session_on_a_kept_skeleton(client):
    session = SessionFactory(days=[10], registration_deadline=today_at(13))
    url = session.course.get_absolute_url()
    with at(today_at(12)):
        html = visit(client, url)[1]
    assert reverse("enrolments:enrol", args=[session.pk]) in html
    assert "Houd me op de hoogte" not in html
    with at(today_at(14)):
        count, html = visit(client, url)
    assert (
        count == VALIDATORS + 1
    )  # the same sessions are listed: the skeleton is kept, its holes are not
    assert "Inschrijving gesloten" in html
    assert reverse("enrolments:enrol", args=[session.pk]) not in html
    assert "Houd me op de hoogte" in html  # no session is open any more


def test_a_session_that_starts_drops_out_of_a_kept_page(client):
    course = CourseFactory()
    soon = SessionFactory(course=course, days=[1])
    later_session = SessionFactory(course=course, days=[20])
    html = visit(client, course.get_absolute_url())[1]
    assert f'id="sessie-{soon.pk}"' in html and f'id="sessie-{later_session.pk}"' in html
    with later(days=3):
        html = visit(client, course.get_absolute_url())[1]
        home = visit(client, HOME)[1]
    assert f'id="sessie-{soon.pk}"' not in html and f'id="sessie-{later_session.pk}"' in html
    assert f'id="sessie-{soon.pk}"' not in home


def test_a_change_to_the_course_shows_at_once(client):
    course = CourseFactory(title="Oude titel")
    assert "<h1>Oude titel</h1>" in visit(client, course.get_absolute_url())[1]
    course.title = "Nieuwe titel"
    course.save()
    html = visit(client, course.get_absolute_url())[1]
    assert "<h1>Nieuwe titel</h1>" in html and "<h1>Oude titel</h1>" not in html


def test_staff_are_not_served_the_visitors_skeleton_nor_the_other_way_round(client):
    course = CourseFactory()
    draft = CourseFactory(is_published=False)
    admin_link = reverse("admin:index")
    assert admin_link not in visit(client, course.get_absolute_url())[1]
    assert client.get(draft.get_absolute_url()).status_code == 404
    staff = User.objects.create_user("staff", is_staff=True)
    client.force_login(staff)
    assert admin_link in visit(client, course.get_absolute_url())[1]
    assert "nog niet gepubliceerd" in visit(client, draft.get_absolute_url())[1]
    client.logout()
    assert admin_link not in visit(client, course.get_absolute_url())[1]
    assert client.get(draft.get_absolute_url()).status_code == 404


def test_each_language_and_address_has_its_own_skeleton(client):
    course = CourseFactory()
    dutch = visit(client, course.get_absolute_url())[1]
    english = visit(client, "/en" + course.get_absolute_url())[1]
    assert '<html lang="nl">' in dutch and '<html lang="en">' in english
    with_query = visit(client, course.get_absolute_url() + "?utm_source=mail")[1]
    assert "utm_source=mail" in with_query and "utm_source" not in dutch
