"""Bad input never breaks the site: arbitrary query strings and form values (hypothesis)."""

from urllib.parse import quote

import pytest
from django.test import override_settings
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from enrolments.models import Enrolment, Interest, SessionRequest
from enrolments.tokens import self_service_path
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
