import datetime

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from enrolments.models import QueuedEmail
from tests.factories import (
    CourseFactory,
    EnrolmentFactory,
    LocationFactory,
    QueuedEmailFactory,
    SessionFactory,
)
from trainings.models import (
    Course,
    LearningPath,
    LearningPathStep,
    Profile,
    ProgrammePart,
    Resource,
    Session,
)

pytestmark = pytest.mark.django_db


def test_home_has_search_themes_and_next_sessions(client, catalogue):
    session = SessionFactory(course=Course.objects.get(slug="privacy-in-het-ido"), days=[9])
    response = client.get(reverse("catalogue:home"))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'name="q"' in html and 'role="search"' in html
    assert "Digitale inclusie &amp; IDO" in html
    assert "11 trainingen" in html
    assert session.course.title in html
    assert session.location.city in html


@pytest.mark.usefixtures("no_page_cache")
def test_home_query_count_does_not_grow(client, django_assert_max_num_queries):
    SessionFactory()
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("catalogue:home"))
    for _ in range(20):
        SessionFactory()
    # themes, sessions, their days, learning paths, profiles; and the page's ETag and
    # Last-Modified (one query: catalogue/http/conditional.py)
    with django_assert_max_num_queries(5 + 1):
        client.get(reverse("catalogue:home"))
    assert len(few) == 5 + 1


@pytest.mark.parametrize(
    "slug, expected",
    [
        (
            "digitale-ongelijkheden-overheidsdiensten",
            [
                "Beschrijving",
                "Doelstellingen",
                "Doelgroep",
                "Werkwijze",
                "Inhoud",
                "Prijzen",
                "€\xa025,00",
                "€\xa00,00",
                "Gratis onder voorwaarde",
                "Neem contact met ons op",
                "3 uur",
                "maximaal 20 per sessie",
                "de garantie liep tot 31 december 2022",
                "GSOB",
                "CABAN",
                "Klassikaal",
                "Misschien ook interessant",
                "Er is op dit moment geen sessie gepland",
            ],
        ),
        (
            "didactische-vaardigheden",
            ["Programma", "Lesdag 1", "Lesdag 2", "Leerdoel:", "2 lesdagen", "Cybersoek"],
        ),
        (
            "ido-vaardigheidstraining",
            [
                "maximaal 16 deelnemers",
                "Materialen",
                "Toolkit Vaardigheidstrainingen",
                "Praktisch",
                "Contact",
                "Deskundigheidstraject Digitale inclusie",
            ],
        ),
        ("omgaan-met-lvb-en-psychisch-kwetsbaren", ["beschikbaar sinds januari 2024", "MEE"]),
        ("aansluiting-programmering", ["In ontwikkeling"]),
    ],
)
def test_course_page_sections(client, catalogue, slug, expected):
    response = client.get(reverse("catalogue:course-detail", args=[slug]))
    assert response.status_code == 200
    html = response.content.decode()
    for text in expected:
        assert text in html, text


def test_course_page_lists_upcoming_sessions_with_their_state(client):
    course = CourseFactory()
    location = LocationFactory(name="Bibliotheek Neude", city="Utrecht")
    open_session = SessionFactory(
        course=course, location=location, capacity=10, min_participants=4, days=[20]
    )
    EnrolmentFactory(session=open_session)
    full = SessionFactory(course=course, capacity=1, days=[30])
    EnrolmentFactory(session=full)
    SessionFactory(course=course, days=[40], status=Session.Status.CONFIRMED)
    SessionFactory(course=course, days=[50], status=Session.Status.CANCELLED)
    SessionFactory(
        course=course, days=[5], registration_deadline=timezone.now() - datetime.timedelta(hours=1)
    )
    SessionFactory(course=course, days=[-5])  # past: not shown
    today = timezone.localdate()
    SessionFactory(
        course=course,
        days=[
            (today + datetime.timedelta(days=60), datetime.time(9, 30), datetime.time(16, 30)),
            (today + datetime.timedelta(days=67), datetime.time(9, 30), datetime.time(16, 30)),
        ],
    )
    response = client.get(course.get_absolute_url())
    html = response.content.decode()
    assert len(response.context["course"].upcoming_sessions) == 6
    assert "Bibliotheek Neude, Utrecht" in html
    assert "Nog 9 plaatsen vrij" in html
    assert "Gaat door bij minimaal 4 inschrijvingen (nu 1)" in html
    assert "Vol — schrijf je in voor de wachtlijst" in html
    assert "Gaat zeker door" in html
    assert "Geannuleerd" in html
    assert "Inschrijving gesloten" in html
    assert "09:30–16:30" in html and html.count("09:30–16:30") == 2


def test_unpublished_course_is_not_found_but_staff_can_preview(client):
    course = CourseFactory(is_published=False)
    assert client.get(course.get_absolute_url()).status_code == 404
    client.force_login(User.objects.create_user("staff", is_staff=True))
    response = client.get(course.get_absolute_url())
    assert response.status_code == 200
    assert "nog niet gepubliceerd" in response.content.decode()


def test_unknown_course_is_404(client):
    assert client.get(reverse("catalogue:course-detail", args=["bestaat-niet"])).status_code == 404


@pytest.mark.usefixtures("no_page_cache")
def test_course_page_query_count_does_not_grow(client, catalogue, django_assert_max_num_queries):
    course = Course.objects.get(slug="ido-vaardigheidstraining")
    SessionFactory(course=course)
    with CaptureQueriesContext(connection) as one:
        client.get(course.get_absolute_url())
    for _ in range(10):
        session = SessionFactory(course=course, days=[20, 21])
        EnrolmentFactory(session=session)
    with django_assert_max_num_queries(10 + 1):  # + the validators (http/conditional.py)
        client.get(course.get_absolute_url())
    with CaptureQueriesContext(connection) as many:
        client.get(course.get_absolute_url())
    assert len(many) == len(one)


@pytest.mark.usefixtures("no_page_cache")
def test_a_course_page_reads_only_the_optional_relations_the_course_has(client):
    """Programme, materials, related courses, learning paths and profiles: each costs a
    query only on the page of a course that has some, and shows there."""
    bare, full, other = CourseFactory(), CourseFactory(), CourseFactory(title="Verwante training")
    ProgrammePart.objects.create(course=full, title="Lesdag 1", topics="Zoeken")
    Resource.objects.create(course=full, title="Werkmap", url="https://example.org/werkmap")
    full.related_courses.add(other)
    path = LearningPath.objects.create(
        title="Leergang Zoeken", slug="leergang-zoeken", kind="leergang", is_published=True
    )
    LearningPathStep.objects.create(path=path, course=full)
    Profile.objects.create(name="Profiel Zoeker", slug="profiel-zoeker").courses.add(full)

    def page(course):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(course.get_absolute_url())
        assert response.status_code == 200
        return len(queries), response.content.decode()

    bare_count, bare_html = page(bare)
    full_count, full_html = page(full)
    assert full_count == bare_count + 5
    for shown in ("Lesdag 1", "Werkmap", "Verwante training", "Leergang Zoeken", "Profiel Zoeker"):
        assert shown in full_html
        assert shown not in bare_html
    assert "Programma" in full_html and "Programma" not in bare_html


def test_learning_path_page(client, catalogue):
    response = client.get(
        reverse("catalogue:path-detail", args=["deskundigheidstraject-digitale-inclusie"])
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "IDO-e-learning" in html and "keuzeonderdeel" in html
    empty = client.get(reverse("catalogue:path-detail", args=["leergang-digitaal-burgerschap"]))
    assert "worden nog ontwikkeld" in empty.content.decode()


def test_profile_page_lists_the_trainings_of_the_role(client, catalogue):
    response = client.get(reverse("catalogue:profile-detail", args=["profiel-ido-medewerker"]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "7 trainingen voor dit profiel" in html
    assert "Privacy in het IDO" in html and "Wervingstekst IDO-vrijwilliger" in html


def test_course_page_links_its_profiles_and_paths(client, catalogue):
    html = client.get(reverse("catalogue:course-detail", args=["ido-e-learning"])).content.decode()
    assert reverse("catalogue:profile-detail", args=["profiel-ido-kartrekker"]) in html
    assert (
        reverse("catalogue:path-detail", args=["deskundigheidstraject-digitale-inclusie"]) in html
    )


def test_home_links_paths_and_profiles(client, catalogue):
    html = client.get(reverse("catalogue:home")).content.decode()
    assert "Leerlijnen en profielen" in html and "Profiel IDO-kartrekker" in html


def test_healthz(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok\noldest unsent mail: 0 s\n"


def test_healthz_reports_how_long_the_oldest_unsent_mail_waits(client):
    QueuedEmailFactory(created_at=timezone.now() - datetime.timedelta(minutes=5))
    QueuedEmailFactory(status=QueuedEmail.Status.SENT)
    response = client.get("/healthz")
    assert response.status_code == 200
    seconds = int(response.content.decode().split("oldest unsent mail: ")[1].split()[0])
    assert 300 <= seconds < 330


def test_pages_stay_dutch_for_an_english_browser_that_chose_dutch(client, catalogue):
    client.cookies["django_language"] = "nl"
    response = client.get(reverse("catalogue:course-list"), HTTP_ACCEPT_LANGUAGE="en-US,en")
    assert response["Content-Language"] == "nl"
    assert "trainingen gevonden" in response.content.decode()


def test_post_is_not_allowed_on_reading_pages(client):
    assert client.post(reverse("catalogue:course-list")).status_code == 405


def test_learning_path_index_lists_the_published_paths_with_links(client, catalogue):
    LearningPath.objects.filter(slug="leergang-digitaal-burgerschap").update(is_published=False)
    response = client.get("/leerlijnen/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Leerlijnen</h1>" in html
    assert 'href="/leerlijnen/onboardingtraject-bibliotheeksector/"' in html
    assert 'href="/leerlijnen/deskundigheidstraject-digitale-inclusie/"' in html
    assert "Onboardingtraject" in html and "Deskundigheidstraject" in html
    assert "leergang-digitaal-burgerschap" not in html
    path = client.get("/leerlijnen/onboardingtraject-bibliotheeksector/").content.decode()
    assert 'href="/leerlijnen/"' in path  # the breadcrumb leads back to the index
    assert "<h1>Learning paths</h1>" in client.get("/en/leerlijnen/").content.decode()


def test_profile_index_lists_the_profiles_with_links_and_course_counts(client, catalogue):
    response = client.get("/profielen/")
    html = response.content.decode()
    assert response.status_code == 200
    for profile in Profile.objects.all():
        assert f'href="{profile.get_absolute_url()}"' in html
        count = profile.courses.published().count()
        assert f"{count} trainingen" in html or f"{count} training<" in html
    assert (
        'href="/profielen/"'
        in client.get(Profile.objects.first().get_absolute_url()).content.decode()
    )
    assert "<h1>Competency profiles</h1>" in client.get("/en/profielen/").content.decode()


def test_home_and_sitemap_lead_to_the_index_pages(client, catalogue):
    home = client.get(reverse("catalogue:home")).content.decode()
    assert 'href="/leerlijnen/"' in home and 'href="/profielen/"' in home
    sitemap = client.get("/sitemap.xml").content.decode()
    assert "http://testserver/leerlijnen/" in sitemap
    assert "http://testserver/profielen/" in sitemap


@pytest.mark.usefixtures("no_page_cache")
@pytest.mark.parametrize("url", ["/leerlijnen/", "/profielen/"])
def test_index_page_query_count_does_not_grow(
    client, catalogue, url, django_assert_max_num_queries
):
    # The list, and the page's ETag and Last-Modified (catalogue/http/conditional.py).
    with django_assert_max_num_queries(1 + 1):
        client.get(url)
    for i in range(10):
        course = CourseFactory()
        path = LearningPath.objects.create(
            title=f"Route {i}",
            slug=f"route-{i}",
            kind="leergang",
            summary="Een route.",
            is_published=True,
        )
        path.steps.create(course=course)
        Profile.objects.create(name=f"Profiel {i}", slug=f"profiel-{i}").courses.add(course)
    with django_assert_max_num_queries(1 + 1):
        assert client.get(url).status_code == 200
