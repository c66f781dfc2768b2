"""Courses followed on another platform or booked with their provider point there."""

import html

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from catalogue.languages import url_in_language
from tests.factories import CourseFactory
from trainings.models import Course, Delivery

pytestmark = pytest.mark.django_db

# The seed trainings that never get a session here (issue 13, item 1).
RUN_ELSEWHERE = {
    "ido-e-learning": "Start op Bibliotheek Campus",
    "community-librarian": "Naar de aanbieder",
    "mediacoach-nomc": "Naar de aanbieder",
    "mediacoach-go-opleidingen": "Naar de aanbieder",
    "mediacoach-windesheim": "Naar de aanbieder",
    "of-by-for-all": "Naar de aanbieder",
    "impactstrategie-en-theory-of-change": "Naar de aanbieder",
    "netwerk-mediawijsheid": "Naar de aanbieder",
    "waag-technologie-en-samenleving": "Naar de aanbieder",
    "basisvaardigheden-voor-volwassenen": "Naar de aanbieder",
}


def test_every_seed_course_that_runs_elsewhere_has_its_link(catalogue):
    elsewhere = Course.objects.exclude(delivery=Delivery.SCHEDULED)
    assert set(elsewhere.values_list("slug", flat=True)) == set(RUN_ELSEWHERE)
    for course in elsewhere:
        assert course.external_url.startswith("https://"), course.slug
        course.full_clean()


@pytest.mark.parametrize("slug", sorted(RUN_ELSEWHERE))
def test_course_that_runs_elsewhere_shows_that_as_its_main_action(client, catalogue, slug):
    course = Course.objects.get(slug=slug)
    page = client.get(course.get_absolute_url()).content.decode()
    link = f'<a class="button" href="{course.external_url}" rel="noopener">'
    action = f"{link}{RUN_ELSEWHERE[slug]}</a>"
    assert action in page
    assert "Houd me op de hoogte" not in page
    assert reverse("enrolments:interest", args=[slug]) not in page
    assert "Er is op dit moment geen sessie gepland." not in page


def test_scheduled_course_still_offers_keep_me_posted(client, catalogue):
    course = Course.objects.get(slug="privacy-in-het-ido")
    assert course.delivery == Delivery.SCHEDULED
    page = client.get(course.get_absolute_url()).content.decode()
    assert "Houd me op de hoogte" in page
    assert reverse("enrolments:interest", args=[course.slug]) in page
    assert "Naar de aanbieder" not in page


def test_card_says_where_a_course_is_taken(client, catalogue):
    page = html.unescape(client.get(reverse("catalogue:course-list")).content.decode())
    assert "op Bibliotheek Campus" in page
    assert "boeken bij de aanbieder" in page
    assert "nog niet gepland" in page  # the courses we schedule ourselves


def test_english_action_is_translated(client, catalogue):
    page = client.get(
        url_in_language(Course.objects.get(slug="ido-e-learning").get_absolute_url(), "en")
    )
    assert "Start on Bibliotheek Campus" in page.content.decode()


def test_interest_form_of_a_course_elsewhere_leads_back_to_the_course(client):
    course = CourseFactory(delivery=Delivery.PROVIDER, external_url="https://example.org/")
    response = client.get(reverse("enrolments:interest", args=[course.slug]))
    assert response.status_code == 302
    assert response["Location"] == course.get_absolute_url()


def test_course_elsewhere_needs_an_external_link():
    course = CourseFactory.build(delivery=Delivery.PLATFORM, external_url="")
    with pytest.raises(ValidationError) as error:
        course.clean()
    assert "external_url" in error.value.message_dict
