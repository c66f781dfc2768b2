"""Every public page is valid HTML (html5lib, strict: any parse error fails)."""

import html5lib
import pytest
from django.contrib.auth.models import Group, User
from django.test import override_settings
from django.urls import reverse
from django.utils import translation

from enrolments.places.tokens import self_service_path
from tests.factories import EnrolmentFactory, SessionFactory
from trainings.models import Course, LearningPath, Profile

pytestmark = pytest.mark.django_db


def assert_valid(response, expected_status=200):
    assert response.status_code == expected_status, response.status_code
    parser = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False)
    try:
        parser.parse(response.content.decode())
    except html5lib.html5parser.ParseError as error:
        pytest.fail(f"{response.request['PATH_INFO']}: {error}")


@pytest.fixture
def site(catalogue):
    session = SessionFactory(
        course=Course.objects.get(slug="privacy-in-het-ido"), min_participants=3
    )
    enrolment = EnrolmentFactory(session=session)
    return session, enrolment


def test_catalogue_pages(client, site):
    for url in [
        reverse("catalogue:home"),
        reverse("catalogue:course-list"),
        reverse("catalogue:course-list") + "?format=klassikaal&audience=ido-medewerkers"
        "&open=1&order=date",
        reverse("catalogue:course-list") + "?q=mediawijsheit",
        reverse("catalogue:course-list") + "?q=ido&page=2",
        reverse("catalogue:privacy"),
        reverse("catalogue:accessibility"),
    ]:
        assert_valid(client.get(url))


def test_every_course_path_and_profile_page(client, site):
    for course in Course.objects.published():
        assert_valid(client.get(course.get_absolute_url()))
    for path in LearningPath.objects.all():
        assert_valid(client.get(path.get_absolute_url()))
    for profile in Profile.objects.all():
        assert_valid(client.get(profile.get_absolute_url()))


def test_enrolment_pages(client, site):
    session, enrolment = site
    url = reverse("enrolments:enrol", args=[session.pk])
    assert_valid(client.get(url))
    assert_valid(client.post(url, {"email": "x"}), 400)
    result = client.post(
        url,
        {
            "first_name": "A",
            "last_name": "B",
            "email": "a@b.nl",
            "organisation": "Bieb",
            "privacy": "on",
        },
        follow=True,
    )
    assert_valid(result)
    assert_valid(client.get(self_service_path(enrolment)))
    assert_valid(client.post(self_service_path(enrolment), {"reason": "x"}, follow=True))
    assert_valid(client.get("/inschrijving/kapot/"), 400)


def test_interest_and_request_pages(client, site):
    slug = "ido-en-jongeren"
    for name in ("interest", "request"):
        url = reverse(f"enrolments:{name}", args=[slug])
        assert_valid(client.get(url))
        assert_valid(client.post(url, {"email": "fout"}), 400)
    assert_valid(client.get(reverse("enrolments:interest-thanks", args=[slug])))
    assert_valid(client.get(reverse("enrolments:request-thanks", args=[slug])))


@override_settings(RATELIMIT_POSTS=0)
def test_error_pages(client, site):
    session, _ = site
    assert_valid(client.get("/bestaat-niet/"), 404)
    assert_valid(client.post(reverse("enrolments:enrol", args=[session.pk]), {}), 429)
    staff = User.objects.create_user("medewerker", is_staff=True)
    client.force_login(staff)
    assert_valid(client.get(reverse("enrolments:export-csv", args=[session.pk])), 403)


def test_attendance_list(client, site):
    session, _ = site
    user = User.objects.create_user("coordinator", is_staff=True)
    user.groups.add(Group.objects.get(name="Coördinatoren"))
    client.force_login(user)
    assert_valid(client.get(reverse("enrolments:attendance-list", args=[session.pk])))


def test_pages_in_english_are_valid_too(client, site):
    with translation.override("en"):
        assert_valid(client.get(reverse("catalogue:course-list")))
        assert_valid(client.get(reverse("catalogue:course-detail", args=["privacy-in-het-ido"])))


def test_group_enrolment_and_substitution_pages(client, site):
    session, enrolment = site
    url = reverse("enrolments:group-enrol", args=[session.pk])
    assert_valid(client.get(url))
    data = {
        "organisation": "Bieb",
        "submitted_by_name": "Ans",
        "submitted_by_email": "ans@example.org",
        "form-TOTAL_FORMS": "1",
        "form-INITIAL_FORMS": "0",
        "form-0-first_name": "A",
        "form-0-last_name": "B",
        "form-0-email": "a@example.org",
    }
    assert_valid(client.post(url, {**data, "action": "add"}))
    assert_valid(client.post(url, {**data, "action": "enrol"}), 400)
    assert_valid(client.post(url, {**data, "action": "enrol", "privacy": "on"}, follow=True))
    link = self_service_path(enrolment)
    substitute = {
        "action": "substitute",
        "sub-first_name": "K",
        "sub-last_name": "V",
        "sub-email": "kv@example.org",
    }
    assert_valid(client.post(link, {**substitute, "sub-email": "x"}), 400)
    assert_valid(client.post(link, substitute))


def test_attendance_page(client, site):
    session = SessionFactory(days=[-8, -1], trainer="trainer")
    EnrolmentFactory(session=session)
    user = User.objects.create_user("trainer", is_staff=True)
    user.groups.add(Group.objects.get(name="Trainers"))
    client.force_login(user)
    assert_valid(client.get(reverse("enrolments:attendance", args=[session.pk])))
