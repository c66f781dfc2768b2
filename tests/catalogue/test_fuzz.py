"""Bad input never breaks the site: arbitrary query strings and form values (hypothesis)."""

from urllib.parse import quote

import pytest
from django.test import override_settings
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from enrolments.models import Enrolment, Interest, SessionRequest
from enrolments.places import groups, services
from enrolments.places.tokens import group_confirm_path, self_service_path
from tests.factories import CourseFactory, EnrolmentFactory, SessionFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_rate_limit")]

FUZZ = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
# Any character a browser could send, except lone surrogates (not encodable at all).
text = st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=300)
KEYS = [
    "q",
    "format",
    "audience",
    "provider",
    "theme",
    "level",
    "price",
    "open",
    "month",
    "city",
    "order",
    "page",
    "r",
    "weeks",
    "delimiter",
]
params = st.dictionaries(
    st.one_of(st.sampled_from(KEYS), text), st.lists(text, max_size=4), max_size=6
)


@pytest.fixture
def no_rate_limit():
    with override_settings(RATELIMIT_POSTS=10**9):
        yield


@pytest.fixture
def pages(db):
    course = CourseFactory(slug="privacy")
    session = SessionFactory(course=course)
    enrolment = EnrolmentFactory(session=session)
    return [
        reverse("catalogue:home"),
        reverse("catalogue:course-list"),
        reverse("catalogue:course-detail", args=["privacy"]),
        reverse("catalogue:privacy"),
        reverse("catalogue:accessibility"),
        reverse("catalogue:path-list"),
        reverse("catalogue:profile-list"),
        reverse("enrolments:enrol", args=[session.pk]),
        reverse("enrolments:enrolled", args=[session.pk]),
        reverse("enrolments:interest", args=["privacy"]),
        reverse("enrolments:request", args=["privacy"]),
        reverse("enrolments:export-csv", args=[session.pk]),
        self_service_path(enrolment),
        "/healthz",
    ]


@FUZZ
@given(query=params)
def test_any_query_parameters_on_every_public_page(client, pages, query):
    for page in pages:
        response = client.get(page, query)
        assert response.status_code < 500, (page, query)


@FUZZ
@given(raw=text)
def test_any_raw_query_string(client, pages, raw):
    for page in pages:
        response = client.get(page, QUERY_STRING=quote(raw, safe="=&;+%"))
        assert response.status_code < 500, (page, raw)


@FUZZ
@given(slug=text, number=st.integers())
def test_unknown_ids_and_slugs(client, slug, number):
    for url in [
        f"/trainingen/{quote(slug, safe='')}/",
        f"/sessies/{abs(number)}/inschrijven/",
        f"/inschrijving/{quote(slug, safe='')}/",
        f"/leerlijnen/{quote(slug, safe='')}/",
    ]:
        assert client.get(url).status_code < 500, url


field_values = st.one_of(
    st.none(), text, st.sampled_from(["on", "1", "", " ", "0", "-1", "x" * 10_000, "@", "a@b.nl"])
)


def form(fields):
    return st.fixed_dictionaries({}, optional=dict.fromkeys(fields, field_values)).map(
        lambda data: {k: v for k, v in data.items() if v is not None}
    )


def assert_safe_post(client, url, data, model):
    before = model.objects.count()
    response = client.post(url, data)
    assert response.status_code < 500, data
    if response.status_code >= 400:
        assert model.objects.count() == before, data  # nothing written on a rejected form
    return response


@FUZZ
@given(
    data=form(
        [
            "first_name",
            "last_name",
            "email",
            "organisation",
            "job_title",
            "invitation_code",
            "privacy",
            "website",
        ]
    )
)
def test_enrolment_form_with_any_values(client, data):
    session = SessionFactory()
    assert_safe_post(client, reverse("enrolments:enrol", args=[session.pk]), data, Enrolment)


@FUZZ
@given(data=form(["email", "organisation", "city", "consent", "website"]))
def test_interest_form_with_any_values(client, data):
    course = CourseFactory()
    assert_safe_post(client, reverse("enrolments:interest", args=[course.slug]), data, Interest)


@FUZZ
@given(
    data=form(
        [
            "organisation",
            "contact_name",
            "email",
            "phone",
            "participants",
            "preferred_period",
            "message",
            "website",
        ]
    )
)
def test_session_request_form_with_any_values(client, data):
    course = CourseFactory()
    assert_safe_post(
        client, reverse("enrolments:request", args=[course.slug]), data, SessionRequest
    )


@FUZZ
@given(data=form(["reason"]))
def test_cancel_form_with_any_values(client, data):
    enrolment = EnrolmentFactory()
    response = client.post(self_service_path(enrolment), data)
    assert response.status_code < 500


def test_oversized_request_is_refused_with_400(client):
    session = SessionFactory()
    response = client.post(
        reverse("enrolments:enrol", args=[session.pk]), {"first_name": "x" * 3_000_000}
    )
    assert response.status_code == 400
    assert not Enrolment.objects.exists()


def test_too_many_fields_is_refused_with_400(client):
    session = SessionFactory()
    data = {f"field{i}": "x" for i in range(1500)}
    assert client.post(reverse("enrolments:enrol", args=[session.pk]), data).status_code == 400


# -- Every GET URL, public and admin, with hostile values in every parameter it reads ---------

HOSTILE = [
    "\x00",
    "a\x00b",
    "x" * 5000,
    "'",
    "<script>alert(1)</script>",
    "99999999999999999999",
    "-1",
    "9999-12-31",
    "0001-01-01",
    "13",
    "1e400",
]
# Parameters pages read besides the catalogue's filters.
EXTRA_KEYS = ["next", "dag", "course", "session", "start", "end", "outcome", "organisation", "e"]


@pytest.fixture
def every_public_page(db):
    """One URL for each public GET route, with the objects it needs."""
    from trainings.models import LearningPath, LearningPathStep, Profile

    course = CourseFactory(slug="privacy")
    session = SessionFactory(course=course, days=[-1])
    enrolment = EnrolmentFactory(session=session)
    path = LearningPath.objects.create(title="Leerlijn", slug="leerlijn", is_published=True)
    LearningPathStep.objects.create(path=path, course=course)
    Profile.objects.create(name="Profiel", slug="profiel")
    return {
        "catalogue:home": "/",
        "catalogue:course-list": reverse("catalogue:course-list"),
        "catalogue:course-detail": reverse("catalogue:course-detail", args=["privacy"]),
        "catalogue:path-detail": reverse("catalogue:path-detail", args=["leerlijn"]),
        "catalogue:profile-detail": reverse("catalogue:profile-detail", args=["profiel"]),
        "catalogue:path-list": reverse("catalogue:path-list"),
        "catalogue:profile-list": reverse("catalogue:profile-list"),
        "catalogue:privacy": reverse("catalogue:privacy"),
        "catalogue:accessibility": reverse("catalogue:accessibility"),
        "site:language": reverse("site:language", args=["en"]),
        "catalogue:calendar": reverse("catalogue:calendar"),
        "catalogue:session-calendar": reverse("catalogue:session-calendar", args=[session.pk]),
        "catalogue:new-sessions-feed": reverse("catalogue:new-sessions-feed"),
        "site:sitemap": reverse("site:sitemap"),
        "site:robots": reverse("site:robots"),
        "site:healthz": reverse("site:healthz"),
        "enrolments:enrol": reverse("enrolments:enrol", args=[session.pk]),
        "enrolments:enrolled": reverse("enrolments:enrolled", args=[session.pk]),
        "enrolments:group-enrol": reverse("enrolments:group-enrol", args=[session.pk]),
        "enrolments:group-enrolled": reverse("enrolments:group-enrolled", args=[session.pk]),
        "enrolments:self-service": self_service_path(enrolment),
        "enrolments:group-confirm": group_confirm_path(
            groups.group_enrolment_create(
                session_id=SessionFactory().pk,  # one that is still open
                organisation="Bibliotheek Gouda",
                people=[services.Person("Anna", "Visser", "anna.v@example.org", "")],
                submitted_by_name="Ans Teamleider",
                submitted_by_email="ans@example.org",
            )
        ),
        "enrolments:export-csv": reverse("enrolments:export-csv", args=[session.pk]),
        "enrolments:export-xlsx": reverse("enrolments:export-xlsx", args=[session.pk]),
        "enrolments:attendance-list": reverse("enrolments:attendance-list", args=[session.pk]),
        "enrolments:attendance": reverse("enrolments:attendance", args=[session.pk]),
        "enrolments:interest": reverse("enrolments:interest", args=["privacy"]),
        "enrolments:interest-thanks": reverse("enrolments:interest-thanks", args=["privacy"]),
        "enrolments:request": reverse("enrolments:request", args=["privacy"]),
        "enrolments:request-thanks": reverse("enrolments:request-thanks", args=["privacy"]),
    }


def test_the_fuzzed_pages_are_every_public_route(every_public_page):
    from django.urls import get_resolver

    routes = set()
    for namespace in ("catalogue", "site", "enrolments"):
        resolver = get_resolver().namespace_dict[namespace][1]
        routes |= {f"{namespace}:{name}" for name in resolver.reverse_dict if isinstance(name, str)}
    assert routes == set(every_public_page), "a new route: add it to every_public_page"


@pytest.mark.parametrize("signed_in", [False, True], ids=["visitor", "superuser"])
def test_hostile_values_in_every_parameter_of_every_public_page(
    client, every_public_page, signed_in
):
    if signed_in:
        from django.contrib.auth.models import User

        client.force_login(User.objects.create_superuser("root", "root@example.org", "x"))
    client.raise_request_exception = False
    for name, url in every_public_page.items():
        for value in HOSTILE:
            everything = dict.fromkeys([*KEYS, *EXTRA_KEYS], value)
            response = client.get(url, everything)
            assert response.status_code < 500, (name, value)
        for key in [*KEYS, *EXTRA_KEYS]:
            for value in ("\x00", "9999-12-31", "99999999999999999999"):
                response = client.get(url, {key: value})
                assert response.status_code < 500, (name, key, value)


def admin_parameters(client, url: str) -> set[str]:
    """The query parameters an admin page links to itself with (filters, sorting, dates)."""
    import re
    from html import unescape
    from urllib.parse import parse_qs, urlsplit

    html = client.get(url).content.decode()
    names = {"q", "o", "p", "e", "all", "_popup", "_to_field"}
    for href in re.findall(r'href="(\?[^"]*)"', html):
        names |= set(parse_qs(urlsplit(unescape(href)).query, keep_blank_values=True))
    return names


def test_hostile_values_in_every_admin_list_and_page(client):
    from django.contrib import admin
    from django.contrib.auth.models import User

    client.force_login(User.objects.create_superuser("root", "root@example.org", "x"))
    client.raise_request_exception = False
    session = SessionFactory(days=[-1])
    EnrolmentFactory(session=session)
    urls = [
        reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        for model in admin.site._registry
    ]
    urls += [reverse(f"admin:{view.name}") for view in admin.site.extra_views]
    for url in urls:
        names = admin_parameters(client, url) | {"start", "end", "weeks", "format", "city"}
        for value in HOSTILE:
            response = client.get(url, dict.fromkeys(names, value))
            assert response.status_code < 500, (url, value)
            for name in names:
                response = client.get(url, {name: value})
                assert response.status_code < 500, (url, name, value)
