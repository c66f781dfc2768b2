"""The public enrolment forms are rate limited where catalogue/urls.py wires them."""

import pytest
from django.test import override_settings
from django.urls import reverse

from catalogue.http.ratelimit import limit_urls
from catalogue.urls import ENROLMENT_LIMITS
from enrolments import urls as enrolment_urls
from tests.factories import CourseFactory, SessionFactory

pytestmark = pytest.mark.django_db


def test_a_limit_for_a_url_name_that_does_not_exist_is_an_error():
    with pytest.raises(ValueError, match="inschrijven"):
        limit_urls(enrolment_urls.urlpatterns, {"inschrijven": ("enrol", None)})


def test_the_included_module_keeps_its_own_views_unwrapped():
    before = {p.name: p.callback for p in enrolment_urls.urlpatterns}
    wired = {p.name: p.callback for p in limit_urls(enrolment_urls.urlpatterns, ENROLMENT_LIMITS)}
    assert {p.name: p.callback for p in enrolment_urls.urlpatterns} == before
    assert {name for name in before if wired[name] is not before[name]} == set(ENROLMENT_LIMITS)


@override_settings(RATELIMIT_POSTS=1, RATELIMIT_WINDOW=60)
@pytest.mark.parametrize(
    "name",
    ["enrol", "group-enrol", "group-confirm", "self-service", "interest", "request"],
)
def test_each_public_form_that_writes_refuses_posts_over_the_limit(client, name):
    if name in ("group-confirm", "self-service"):
        args = ["ongeldig"]
    elif name in ("interest", "request"):
        args = [CourseFactory().slug]
    else:
        args = [SessionFactory().pk]
    url = reverse(f"enrolments:{name}", args=args)
    client.post(url, {})
    refused = client.post(url, {})
    assert refused.status_code == 429
    assert "no-cache" in refused["Cache-Control"]  # no copy of a refusal is kept
