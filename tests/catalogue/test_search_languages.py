"""Search per language (issue 16): the visitor's language first, Dutch as the fallback."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from catalogue.public.filters import CourseFilter
from tests.catalogue.public.test_filters import SEARCH_QUERIES, make_courses
from tests.factories import CourseFactory
from trainings.models import Course, SearchWord
from trainings.search import refresh, suggest

pytestmark = pytest.mark.django_db


def list_url(language: str) -> str:
    """The catalogue in a language: /trainingen/ in Dutch, under /fr/ or /en/ otherwise."""
    with translation.override(language):
        return reverse("catalogue:course-list")


GSOB = "digitale-ongelijkheden-overheidsdiensten"


def found(query: str, language: str = "nl") -> list[str]:
    with translation.override(language):
        filterset = CourseFilter({"q": query}, queryset=Course.objects.published())
        return list(filterset.ordered(filterset.qs).values_list("slug", flat=True))


def bilingual(**texts) -> Course:
    """A course with a Dutch title and summary and the given translations."""
    defaults = {
        "title": "Digitale ongelijkheid in de openbare dienst",
        "summary": "Wie valt uit de boot?",
        "description": "Een Nederlandse beschrijving.",
    }
    return CourseFactory(**{**defaults, **texts})


@pytest.fixture
def gsob_in_french(catalogue):
    """The GSOB course with its French text, whether or not the seed data has it yet."""
    course = Course.objects.get(slug=GSOB)
    course.title_fr = "Prévenir et combattre les inégalités numériques dans les services publics"
    course.summary_fr = "Pour les agents des communes et CPAS bruxellois."
    course.save()
    refresh([course.pk])
    return course


# -- on every database: the stored text holds every language -------------------------------


def test_a_french_word_in_the_french_title_is_found():
    course = bilingual(title_fr="Les inégalités numériques au guichet")
    assert course.slug in found("inégalités", "fr")
    assert course.slug in found("guichet", "fr")


def test_an_english_word_in_the_english_summary_is_found():
    course = bilingual(summary_en="Who is left behind at the counter?")
    assert course.slug in found("counter", "en")


def test_a_dutch_word_still_finds_a_course_that_has_french_text():
    course = bilingual(title_fr="Les inégalités numériques au guichet")
    assert found("ongelijkheid", "nl") == [course.slug]
    assert found("ongelijkheid", "fr") == [course.slug]  # the page falls back to Dutch


def test_the_suggestion_comes_from_the_visitor_language():
    bilingual(title_fr="Les inégalités numériques au guichet")
    with translation.override("fr"):
        assert suggest("inégalités numériqeus") == "inégalités numériques"
    assert "numériques" not in (suggest("inégalités numériqeus", "nl") or "")


def test_vocabulary_keeps_french_words_apart_and_does_not_repeat_dutch_ones():
    bilingual(title_fr="Les inégalités numériques au guichet")
    assert SearchWord.objects.filter(language="fr", word="numeriques").exists()
    assert not SearchWord.objects.filter(language="nl", word="numeriques").exists()
    # A text without translation falls back to Dutch; its words are in the Dutch list once.
    assert SearchWord.objects.filter(language="nl", word="beschrijving").exists()
    assert not SearchWord.objects.filter(language="fr", word="beschrijving").exists()


def test_facets_count_the_same_courses_in_every_language(gsob_in_french):
    def counts(params, language):
        with translation.override(language):
            filterset = CourseFilter(params, queryset=Course.objects.published())
            return {
                (facet.name, option.value): option.count
                for facet in filterset.facets()
                for option in facet.options
            }

    assert counts({}, "fr") == counts({}, "nl") == counts({}, "en")
    french = counts({"q": "inégalités numériques"}, "fr")
    assert french[("theme", Course.objects.get(slug=GSOB).theme.slug)] == 1
    assert sum(n for (name, _value), n in french.items() if name == "theme") == 1


@pytest.mark.parametrize(
    "language, query",
    [("fr", "inégalités numériques"), ("en", "digital inequalities"), ("nl", "ongelijkheden")],
)
def test_the_seed_gsob_course_is_found_in_each_language(catalogue, language, query):
    assert found(query, language)[0] == GSOB


def test_a_french_visitor_finds_the_gsob_course_on_the_catalogue_page(client, gsob_in_french):
    response = client.get(list_url("fr"), {"q": "inégalités numériques"})
    assert response.status_code == 200
    assert f"/{GSOB}/" in response.context["cards"][0].url


@pytest.mark.parametrize("language", ["fr", "en"])
@pytest.mark.usefixtures("no_page_cache")
def test_a_search_in_another_language_costs_the_same_queries(
    client, language, django_assert_max_num_queries, settings
):
    settings.CATALOGUE_INDEX = False  # the database's answer (while the index is built)
    url = list_url(language)
    make_courses(1)
    with CaptureQueriesContext(connection) as one:
        client.get(url, {"q": "training"})
    make_courses(49)
    with django_assert_max_num_queries(SEARCH_QUERIES):
        response = client.get(url, {"q": "training"})
    with CaptureQueriesContext(connection) as fifty:
        client.get(url, {"q": "training"})
    assert response.status_code == 200
    assert response.context["page"].paginator.count == 50
    assert len(fifty) == len(one)


# -- PostgreSQL: a text-search vector per language -------------------------------------------


@pytest.mark.postgres
def test_french_stemming_finds_another_form_of_the_word_on_postgres():
    course = bilingual(summary_fr="Des services publics et l'inclusion sociale.")
    assert found("sociaux", "fr") == [course.slug]  # no substring of "sociale": a stem
    assert found("sociaux", "nl") == []  # the Dutch vector does not stem French


@pytest.mark.postgres
def test_english_stemming_finds_another_form_of_the_word_on_postgres():
    course = bilingual(title_en="Digital inequality in public services")
    assert found("inequalities", "en") == [course.slug]
    assert found("inequalities", "nl") == []


@pytest.mark.postgres
def test_a_french_search_finds_the_gsob_course_on_postgres(gsob_in_french):
    assert found("inégalités numériques", "fr")[0] == GSOB
    assert found("inegalite numerique", "fr")[0] == GSOB  # no accents, singular


@pytest.mark.postgres
def test_a_dutch_word_from_a_french_page_falls_back_to_the_dutch_vector_on_postgres(
    gsob_in_french,
):
    # Only in the Dutch text: the French vector has the French title and summary instead.
    assert GSOB in found("ongelijkheden", "fr")
    assert GSOB in found("ongelijkheden", "nl")


@pytest.mark.postgres
@pytest.mark.parametrize("language, first", [("fr", "french"), ("nl", "dutch")])
def test_a_match_in_the_visitor_language_ranks_first_on_postgres(language, first):
    french = bilingual(
        title="Geluid opnemen",
        summary="Met een microfoon.",
        title_fr="Un podcast pour la bibliothèque",
    )
    dutch = bilingual(
        title="Een podcast maken", summary="Met een microfoon.", title_fr="Enregistrer du son"
    )
    expected = {"french": french.slug, "dutch": dutch.slug}[first]
    results = found("podcast", language)
    assert set(results) >= {french.slug, dutch.slug}
    assert results[0] == expected


@pytest.mark.postgres
def test_the_french_suggestion_uses_trigrams_on_postgres():
    bilingual(title_fr="Les inégalités numériques au guichet")
    assert suggest("inégalités numérikes", "fr") == "inégalités numériques"
