"""Conditional GET on the public pages: a weak ETag and Last-Modified made from what the page
shows (the shared versions, the next session start or deadline, the date and the language),
304 without rendering while they hold, and never for a page with something of the visitor's
own. The page cache is off (the default): nothing here relies on it."""

import datetime
import gzip

import pytest
from django.contrib.auth.models import AnonymousUser, User
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone
from django.utils.http import http_date

from catalogue.http.cache import course_version_key, shared_version
from catalogue.http.conditional import Clock, conditional_page
from catalogue.languages import url_in_language
from enrolments.places import services
from tests.catalogue.http.test_conditional import wait_past_the_last_change
from tests.factories import CourseFactory, SessionFactory
from trainings.models import Course, LearningPath, LearningPathStep, Profile
from trainings.models.taxonomy import Lifecycle

HOME = reverse("catalogue:home")
LIST = reverse("catalogue:course-list")


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run what follows as committed, as a save in the admin is: the shared versions (and so
    Last-Modified) move on only after a commit."""

    def run(make, *, wait: bool = False):
        with django_capture_on_commit_callbacks(execute=True):
            made = make()
        if wait:
            wait_past_the_last_change()
        return made

    return run


@pytest.fixture
def offer(db, committed):
    def make():
        session = SessionFactory(
            course=CourseFactory(title="Digitale overheid", slug="digitale-overheid"),
            capacity=5,
        )
        path = LearningPath.objects.create(
            title="Aan de slag", slug="aan-de-slag", summary="Een leerlijn", is_published=True
        )
        LearningPathStep.objects.create(path=path, course=session.course, position=1)
        profile = Profile.objects.create(name="Baliemedewerker", slug="balie", summary="Balie")
        profile.courses.add(session.course)
        return session

    return committed(make)


def pages(session) -> dict[str, str]:
    return {
        "home": HOME,
        "catalogue": LIST,
        "course": session.course.get_absolute_url(),
        "paths": reverse("catalogue:path-list"),
        "path": reverse("catalogue:path-detail", args=["aan-de-slag"]),
        "profiles": reverse("catalogue:profile-list"),
        "profile": reverse("catalogue:profile-detail", args=["balie"]),
    }


PAGE_NAMES = ["home", "catalogue", "course", "paths", "path", "profiles", "profile"]


@pytest.mark.parametrize("name", PAGE_NAMES)
def test_a_page_answers_304_while_nothing_changed(client, offer, name):
    wait_past_the_last_change()  # Last-Modified comes once the second of the change passed
    url = pages(offer)[name]
    first = client.get(url)
    assert first.status_code == 200
    assert first["ETag"].startswith('W/"')
    assert first["Last-Modified"]
    assert "no-cache" in first["Cache-Control"]
    assert "private" not in first["Cache-Control"]
    by_etag = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert by_etag.status_code == 304
    assert by_etag.content == b""
    assert not by_etag.templates  # answered before the view rendered anything
    assert by_etag["ETag"] == first["ETag"]
    assert "no-cache" in by_etag["Cache-Control"]
    by_date = client.get(url, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
    assert by_date.status_code == 304
    an_hour_before = http_date(timezone.now().timestamp() - 3600)
    assert client.get(url, HTTP_IF_MODIFIED_SINCE=an_hour_before).status_code == 200
    assert client.head(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304


@pytest.mark.parametrize("name", PAGE_NAMES)
def test_a_304_costs_one_small_query(client, offer, name, django_assert_max_num_queries):
    """The shared versions (a row per key) and the next and last session start or deadline,
    as scalar subqueries of one statement; nothing of the page itself."""
    url = pages(offer)[name]
    etag = client.get(url)["ETag"]
    with django_assert_max_num_queries(1) as context:
        assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304
    assert "catalogue_counter" in context.captured_queries[0]["sql"]


def test_with_redis_a_page_without_sessions_needs_no_query(
    client, offer, settings, django_assert_num_queries
):
    settings.SHARED_COUNTERS = "cache"  # the versions in the shared cache, as with REDIS_URL
    url = reverse("catalogue:path-list")
    etag = client.get(url)["ETag"]
    with django_assert_num_queries(0):
        assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304
    course = offer.course.get_absolute_url()
    etag = client.get(course)["ETag"]
    with django_assert_num_queries(1):  # its sessions' next start or deadline
        assert client.get(course, HTTP_IF_NONE_MATCH=etag).status_code == 304


def enrol(session):
    return services.enrolment_create(
        session_id=session.pk,
        first_name="Ada",
        last_name="Peeters",
        email="ada@example.org",
        organisation="Bieb",
    )


def test_a_place_taken_changes_the_course_page_and_home_not_the_catalogue(client, offer, committed):
    wait_past_the_last_change()
    urls = pages(offer)
    before = {name: client.get(urls[name]) for name in ("home", "catalogue", "course")}
    assert "Nog 5 plaatsen vrij" in before["course"].content.decode()
    committed(lambda: enrol(offer), wait=True)
    for name in ("course", "home"):
        again = client.get(urls[name], HTTP_IF_NONE_MATCH=before[name]["ETag"])
        assert again.status_code == 200, name
        assert "Nog 4 plaatsen vrij" in again.content.decode(), name
        assert again["ETag"] != before[name]["ETag"]
        assert again["Last-Modified"] != before[name]["Last-Modified"]
    # The catalogue shows no places: its visitors keep their copy.
    assert client.get(LIST, HTTP_IF_NONE_MATCH=before["catalogue"]["ETag"]).status_code == 304


def test_a_place_taken_in_another_course_leaves_a_course_page_alone(client, offer, committed):
    other = committed(lambda: SessionFactory(course=CourseFactory(title="Andere training")))
    url = offer.course.get_absolute_url()
    etag = client.get(url)["ETag"]
    committed(lambda: enrol(other))
    assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304


def test_an_admin_change_changes_the_catalogue(client, admin_client, offer, committed):
    hidden = committed(lambda: CourseFactory(title="Nog geheim", is_published=False), wait=True)
    first = client.get(LIST)
    assert "Nog geheim" not in first.content.decode()
    response = committed(
        lambda: admin_client.post(
            reverse("admin:trainings_course_changelist"),
            {"action": "publish", "_selected_action": [hidden.pk]},
        )
    )
    assert response.status_code == 302
    assert Course.objects.get(pk=hidden.pk).is_published
    again = client.get(
        LIST, HTTP_IF_NONE_MATCH=first["ETag"], HTTP_IF_MODIFIED_SINCE=first["Last-Modified"]
    )
    assert again.status_code == 200
    assert "Nog geheim" in again.content.decode()
    assert again["ETag"] != first["ETag"]


def test_a_deadline_passing_changes_the_pages_that_show_it(client, offer, committed, monkeypatch):
    deadline = timezone.now() + datetime.timedelta(hours=2)

    def close_in_two_hours():
        offer.registration_deadline = deadline
        offer.save()

    committed(close_in_two_hours, wait=True)
    urls = pages(offer)
    first = {name: client.get(urls[name]) for name in ("home", "catalogue", "course")}
    assert "Nog 5 plaatsen vrij" in first["course"].content.decode()
    later = deadline + datetime.timedelta(minutes=1)
    monkeypatch.setattr(timezone, "now", lambda: later)
    for name, response in first.items():
        again = client.get(
            urls[name],
            HTTP_IF_NONE_MATCH=response["ETag"],
            HTTP_IF_MODIFIED_SINCE=response["Last-Modified"],
        )
        assert again.status_code == 200, name
        assert again["ETag"] != response["ETag"]
    course_page = client.get(urls["course"]).content.decode()
    assert "Inschrijving gesloten" in course_page
    assert "Nog 5 plaatsen vrij" not in client.get(HOME).content.decode()


def test_a_session_starting_elsewhere_leaves_a_course_page_alone(
    client, offer, committed, monkeypatch
):
    soon = committed(
        lambda: SessionFactory(course=CourseFactory(title="Andere training"), days=[3])
    )
    url = offer.course.get_absolute_url()
    # Both on the day it starts (the date is part of every page's ETag).
    monkeypatch.setattr(timezone, "now", lambda: soon.starts_at - datetime.timedelta(minutes=1))
    etag = client.get(url)["ETag"]
    list_etag = client.get(LIST)["ETag"]
    monkeypatch.setattr(timezone, "now", lambda: soon.starts_at + datetime.timedelta(minutes=1))
    assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304
    # The catalogue shows every course's next session: it changed.
    assert client.get(LIST, HTTP_IF_NONE_MATCH=list_etag).status_code == 200


def test_a_new_day_changes_what_an_expected_course_says(client, db, committed, monkeypatch):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    course = committed(lambda: CourseFactory(status=Lifecycle.EXPECTED, available_from=tomorrow))
    url = course.get_absolute_url()
    first = client.get(url)
    assert "Verwacht vanaf" in first.content.decode()
    later = timezone.now() + datetime.timedelta(days=2)
    monkeypatch.setattr(timezone, "now", lambda: later)
    again = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 200
    assert "Verwacht vanaf" not in again.content.decode()


def test_each_language_has_its_own_etag(client, offer):
    dutch = client.get(LIST)["ETag"]
    english_url = url_in_language(LIST, "en")
    response = client.get(english_url, HTTP_IF_NONE_MATCH=dutch)
    assert response.status_code == 200
    assert response["ETag"] != dutch
    assert client.get(english_url, HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 304


def test_vary_names_what_the_page_depends_on(client, offer):
    """The Dutch address redirects by cookie or Accept-Language; /en/ depends on neither
    language header, and every answer on the compression asked for."""
    full = client.get(LIST, HTTP_ACCEPT_ENCODING="gzip")
    vary = {part.strip() for part in full["Vary"].split(",")}
    assert {"Cookie", "Accept-Language", "Accept-Encoding"} <= vary
    not_modified = client.get(LIST, HTTP_IF_NONE_MATCH=full["ETag"])
    assert not_modified.status_code == 304
    assert {part.strip() for part in not_modified["Vary"].split(",")} >= vary
    english = client.get(url_in_language(LIST, "en"))
    assert "Accept-Language" not in english["Vary"]
    assert "Cookie" in english["Vary"]


def test_public_pages_hold_nothing_of_the_visitor(client, offer):
    """What makes the validators safe: no CSRF token, no cookie set, no name."""
    for name, url in pages(offer).items():
        response = client.get(url)
        assert response.status_code == 200, name
        assert "csrfmiddlewaretoken" not in response.content.decode(), name
        assert not response.cookies, name


def test_logged_in_visitors_get_no_validators(client, offer):
    anonymous = client.get(LIST)["ETag"]
    client.force_login(User.objects.create_user("adviseur", is_staff=True))
    for url in pages(offer).values():
        response = client.get(url, HTTP_IF_NONE_MATCH=anonymous)
        assert response.status_code == 200, url
        assert not response.has_header("ETag"), url
        assert not response.has_header("Last-Modified"), url
        assert "private" in response["Cache-Control"], url


def test_a_page_with_a_csrf_token_gets_no_validators(rf: RequestFactory, db):
    @conditional_page(clock=Clock.NONE)
    def with_a_form(request):
        return HttpResponse(f'<input name="csrfmiddlewaretoken" value="{get_token(request)}">')

    @conditional_page(clock=Clock.NONE)
    def without(request):
        return HttpResponse("<p>Iedereen leest hetzelfde.</p>")

    def get():
        request = rf.get("/")
        request.user = AnonymousUser()
        return request

    assert without(get()).has_header("ETag")
    response = with_a_form(get())
    assert not response.has_header("ETag")
    assert not response.has_header("Last-Modified")
    assert "private" in response["Cache-Control"]


def test_a_missing_page_gets_no_validators(client, offer):
    response = client.get("/trainingen/bestaat-niet/")
    assert response.status_code == 404
    assert not response.has_header("ETag")


def test_compressed_html_keeps_its_weak_etag_and_answers_304(client, offer):
    plain = client.get(LIST)
    compressed = client.get(LIST, HTTP_ACCEPT_ENCODING="gzip, br")
    assert compressed["Content-Encoding"] == "gzip"
    assert gzip.decompress(compressed.content) == plain.content
    assert compressed["ETag"] == plain["ETag"]
    assert compressed["ETag"].startswith('W/"')  # one entity, two encodings (RFC 9110 8.8.1)
    again = client.get(LIST, HTTP_ACCEPT_ENCODING="gzip", HTTP_IF_NONE_MATCH=compressed["ETag"])
    assert again.status_code == 304
    assert not again.has_header("Content-Encoding")


def test_with_the_page_cache_a_deadline_passing_is_not_hidden(
    client, offer, committed, monkeypatch, settings
):
    """Opt-in page cache: a copy is kept per ETag, so the clock moving on renders anew
    instead of serving the copy made before the deadline (up to PAGE_CACHE_SECONDS)."""
    settings.CACHE_PAGES = True
    deadline = timezone.now() + datetime.timedelta(hours=2)

    def close_in_two_hours():
        offer.registration_deadline = deadline
        offer.save()

    committed(close_in_two_hours)
    url = offer.course.get_absolute_url()
    assert "Inschrijving gesloten" not in client.get(url).content.decode()
    assert "Inschrijving gesloten" not in client.get(url).content.decode()  # from the cache
    later = deadline + datetime.timedelta(minutes=1)
    monkeypatch.setattr(timezone, "now", lambda: later)
    assert "Inschrijving gesloten" in client.get(url).content.decode()


def test_no_last_modified_within_the_second_of_a_change(
    client, offer, django_capture_on_commit_callbacks, monkeypatch
):
    """Two changes of different data within one second would share a Last-Modified (whole
    seconds): an answer in that second gets only the ETag, which tells them apart."""
    with django_capture_on_commit_callbacks(execute=True):
        enrol(offer)
    _version, changed = shared_version(course_version_key(offer.course.slug))
    url = offer.course.get_absolute_url()
    monkeypatch.setattr(timezone, "now", lambda: changed + datetime.timedelta(milliseconds=1))
    same_second = client.get(url)
    assert same_second.has_header("ETag")
    assert not same_second.has_header("Last-Modified")
    monkeypatch.setattr(timezone, "now", lambda: changed + datetime.timedelta(seconds=1))
    assert client.get(url)["Last-Modified"] == http_date(changed.timestamp())
