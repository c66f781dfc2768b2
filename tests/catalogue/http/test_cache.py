"""The page cache (opt-in, DJANGO_CACHE_PAGES=1): public pages are cached for anonymous
visitors and never shown stale after a change."""

import time

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from catalogue.languages import url_in_language
from enrolments.places import services
from tests.catalogue.test_security import run_manage
from tests.factories import CourseFactory, SessionFactory
from trainings.models import Course, Price

pytestmark = pytest.mark.django_db

LIST = reverse("catalogue:course-list")
# A cached page still works out its validators (catalogue/http/conditional.py): the data
# versions shared by all server processes (without Redis rows of catalogue.Counter) and the
# next session start or deadline, in one query. The cache key reuses them.
CACHED = 1


@pytest.fixture(autouse=True)
def page_cache_on(settings):
    """Off by default; these tests are about what it does when switched on."""
    settings.CACHE_PAGES = True


def test_the_page_cache_is_off_by_default():
    code = "from django.conf import settings; print(settings.CACHE_PAGES)"
    unset = run_manage("shell", "-c", code, DJANGO_DEBUG="1", DJANGO_ENV_FILE="")
    assert unset.stdout.split()[-1] == "False", unset.stderr
    on = run_manage(
        "shell", "-c", code, DJANGO_DEBUG="1", DJANGO_ENV_FILE="", DJANGO_CACHE_PAGES="1"
    )
    assert on.stdout.split()[-1] == "True", on.stderr


def queries(client, url, **extra) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as context:
        response = client.get(url, **extra)
    return len(context), response.content.decode()


def test_second_anonymous_visit_is_served_from_the_cache(client):
    course = CourseFactory()
    for url in (LIST, course.get_absolute_url(), reverse("catalogue:home")):
        first, _ = queries(client, url)
        again, _ = queries(client, url)
        assert first > CACHED and again == CACHED, url


def test_staff_always_see_the_live_page(client):
    course = CourseFactory()
    client.force_login(User.objects.create_user("staff", is_staff=True))
    client.get(course.get_absolute_url())
    count, _ = queries(client, course.get_absolute_url())
    assert count > 0


def test_a_change_to_a_course_shows_at_once(client):
    course = CourseFactory(title="Oude titel")
    client.get(LIST)
    client.get(course.get_absolute_url())
    course.title = "Nieuwe titel"
    course.save()
    assert "Nieuwe titel" in client.get(LIST).content.decode()
    assert "Nieuwe titel" in client.get(course.get_absolute_url()).content.decode()


def test_a_new_session_or_price_shows_at_once(client):
    course = CourseFactory()
    assert "nog niet gepland" in client.get(LIST).content.decode()
    SessionFactory(course=course)
    assert "nog niet gepland" not in client.get(LIST).content.decode()
    client.get(course.get_absolute_url())
    Price.objects.create(course=course, kind=Price.Kind.PER_PARTICIPANT, amount="95.00")
    assert "95,00" in client.get(course.get_absolute_url()).content.decode()


def test_an_enrolment_updates_places_left_on_course_and_home_pages(client):
    session = SessionFactory(capacity=5)
    course_url = session.course.get_absolute_url()
    assert "Nog 5 plaatsen vrij" in client.get(course_url).content.decode()
    assert "Nog 5 plaatsen vrij" in client.get(reverse("catalogue:home")).content.decode()
    client.get(LIST)
    services.enrolment_create(
        session_id=session.pk,
        first_name="A",
        last_name="B",
        email="a@example.org",
        organisation="Bieb",
    )
    assert "Nog 4 plaatsen vrij" in client.get(course_url).content.decode()
    assert "Nog 4 plaatsen vrij" in client.get(reverse("catalogue:home")).content.decode()
    # The catalogue list shows no places, so it keeps its cached copy.
    assert queries(client, LIST)[0] == CACHED


def test_cancelling_and_promotion_update_the_course_page(client):
    session = SessionFactory(capacity=1)
    first = services.enrolment_create(
        session_id=session.pk,
        first_name="A",
        last_name="B",
        email="a@example.org",
        organisation="Bieb",
    ).enrolment
    assert (
        "Vol — schrijf je in voor de wachtlijst"
        in client.get(session.course.get_absolute_url()).content.decode()
    )
    services.enrolment_cancel(enrolment_id=first.pk)
    assert "Nog 1 plaats vrij" in client.get(session.course.get_absolute_url()).content.decode()


def test_publishing_in_bulk_shows_at_once(admin_client, client):
    course = CourseFactory(is_published=False, title="Nog geheim")
    assert "Nog geheim" not in client.get(LIST).content.decode()
    admin_client.post(
        reverse("admin:trainings_course_changelist"),
        {"action": "publish", "_selected_action": [course.pk]},
    )
    assert Course.objects.get(pk=course.pk).is_published
    assert "Nog geheim" in client.get(LIST).content.decode()


def test_each_language_has_its_own_copy(client):
    CourseFactory()
    dutch = client.get(LIST).content.decode()
    english = client.get(url_in_language(LIST, "en")).content.decode()
    assert "gevonden" in dutch and "found" in english
    # The Dutch page's copy is not the English one, nor the other way round.
    assert "gevonden" in client.get(LIST).content.decode()


def test_errors_are_not_cached(client):
    client.get("/trainingen/bestaat-niet/")
    count, _ = queries(client, "/trainingen/bestaat-niet/")
    assert count > CACHED


def test_cached_pages_expire(client, settings):
    settings.PAGE_CACHE_SECONDS = 1
    course = CourseFactory()
    client.get(course.get_absolute_url())
    assert queries(client, course.get_absolute_url())[0] == CACHED
    time.sleep(1.1)
    assert queries(client, course.get_absolute_url())[0] > CACHED


def test_cached_pages_keep_the_security_headers(client):
    CourseFactory()
    client.get(LIST)
    response = client.get(LIST)
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert response["X-Request-ID"]
