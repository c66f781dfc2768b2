"""Course texts per language (issue 16): French and English columns, the Dutch fallback marked
lang="nl" with one note per page, and the Dutch text kept by the migration."""

import pytest
from django.urls import reverse
from django.utils import translation

from tests.factories import CourseFactory
from trainings.models import Course

pytestmark = pytest.mark.django_db

NOTE_NL = "Deze tekst is (nog) niet vertaald en staat in het Nederlands."


def page(client, url: str, language: str) -> str:
    client.cookies["django_language"] = language
    response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    return response.content.decode()


def test_untranslated_course_text_is_shown_in_dutch_marked_lang_nl_with_one_note(client):
    course = CourseFactory(title="Leesplezier", summary="Over lezen.", description="Lezen.")
    html = page(client, course.get_absolute_url(), "fr")
    assert '<h1 lang="nl">Leesplezier</h1>' in html
    assert '<p class="lead" lang="nl">Over lezen.</p>' in html
    assert html.count('class="fallback-note"') == 1


def test_translated_course_text_carries_no_lang_and_no_note(client):
    course = CourseFactory(title="Leesplezier", summary="Over lezen.", description="")
    Course.objects.filter(pk=course.pk).update(
        title_fr="Le plaisir de lire", summary_fr="Sur la lecture."
    )
    html = page(client, course.get_absolute_url(), "fr")
    assert "<h1>Le plaisir de lire</h1>" in html
    assert '<p class="lead">Sur la lecture.</p>' in html
    assert "Leesplezier" not in html
    assert 'class="fallback-note"' not in html


def test_partly_translated_course_marks_only_the_dutch_parts(client):
    course = CourseFactory(title="Leesplezier", summary="Over lezen.", description="Lezen.")
    Course.objects.filter(pk=course.pk).update(title_en="The joy of reading")
    html = page(client, course.get_absolute_url(), "en")
    assert "<h1>The joy of reading</h1>" in html
    assert '<p class="lead" lang="nl">Over lezen.</p>' in html
    assert '<p lang="nl">Lezen.</p>' in html
    assert html.count('class="fallback-note"') == 1


def test_dutch_page_has_no_lang_marks_and_no_note(client):
    course = CourseFactory(title="Leesplezier", summary="Over lezen.")
    html = page(client, course.get_absolute_url(), "nl")
    assert "<h1>Leesplezier</h1>" in html
    assert 'class="fallback-note"' not in html
    assert NOTE_NL not in html


def test_catalogue_card_marks_an_untranslated_title(client):
    CourseFactory(title="Leesplezier", summary="Over lezen.")
    translated = CourseFactory(title="Voorlezen", summary="Hardop.")
    Course.objects.filter(pk=translated.pk).update(title_fr="Lire à voix haute", summary_fr="Fort.")
    html = page(client, reverse("catalogue:course-list"), "fr")
    assert '<h3 class="card__title" lang="nl"><a href="/trainingen/leesplezier/">' in html
    assert '<h3 class="card__title"><a href="/trainingen/voorlezen/">Lire à voix haute</a>' in html
    assert html.count('class="fallback-note"') == 1


def test_french_listing_sorts_by_the_french_title_or_else_the_dutch_one(client):
    CourseFactory(title="Aardrijkskunde")
    CourseFactory(title="Zwemmen")
    last = CourseFactory(title="Boeken")
    Course.objects.filter(pk=last.pk).update(title_fr="Livres")
    with translation.override("fr"):
        titles = [course.title for course in Course.objects.published()]
    assert titles == ["Aardrijkskunde", "Livres", "Zwemmen"]
    with translation.override("nl"):
        assert [course.title for course in Course.objects.published()] == [
            "Aardrijkskunde",
            "Boeken",
            "Zwemmen",
        ]
