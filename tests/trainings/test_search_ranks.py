"""Course.objects.published_search_ranks(): the catalogue's search, which on PostgreSQL runs
SQL written out once (trainings.matching.postgres_search_sql) instead of the queryset that
search() builds. Both must find the same courses with the same rank."""

import pytest
from django.db import connection
from django.utils import translation

from tests.factories import CourseFactory
from trainings.models import Course
from trainings.search import refresh

pytestmark = pytest.mark.django_db

QUERIES = [
    "lezen",
    "voorlezen kinderen",
    "bibliotheken",
    "gesprek",
    "lire",
    "reading aloud",
    "numérique",
    "mediawijsheid privacy",
    "te_st",  # an underscore is a LIKE wildcard: it must match itself only
    "100%",
    "zzzz",
]


@pytest.fixture
def courses():
    made = [
        CourseFactory(
            title="Voorlezen aan kinderen",
            title_fr="Lire à voix haute aux enfants",
            summary="Samen lezen in de bibliotheek.",
            summary_en="Reading aloud together in the library.",
        ),
        CourseFactory(
            title="Het goede gesprek",
            summary="Gesprekken met lezers over privacy en mediawijsheid.",
            summary_fr="Parler du numérique avec les lecteurs.",
        ),
        CourseFactory(title="Bibliotheekwerk", summary="Werken in bibliotheken: te_st en 100%."),
        CourseFactory(title="Testen", summary="Een test zonder liggend streepje: teXst."),
        CourseFactory(title="Verborgen lezen", summary="Niet gepubliceerd.", is_published=False),
    ]
    refresh([course.pk for course in made])
    return made


@pytest.mark.parametrize("language", ["nl", "fr", "en"])
def test_the_search_ranks_are_those_of_the_queryset(courses, language):
    with translation.override(language):
        for query in QUERIES:
            queryset = Course.objects.published().search(query).order_by()
            expected = dict(queryset.values_list("pk", "rank"))
            ranks = Course.objects.published_search_ranks(query)
            assert ranks.keys() == expected.keys(), query
            for pk, rank in ranks.items():
                assert rank == pytest.approx(expected[pk]), query
            unranked = Course.objects.published_search_ranks(query, ranked=False)
            assert unranked == dict.fromkeys(expected, 0.0), query


def test_the_search_finds_what_it_should(courses):
    hidden = courses[-1]
    found = Course.objects.published_search_ranks("lezen")
    assert courses[0].pk in found and hidden.pk not in found
    # The stored text matches an underscore as itself, not as LIKE's "any character".
    assert courses[2].pk in Course.objects.published_search_ranks("te_st")
    if connection.vendor != "postgresql":  # (there, text search splits "te_st" in two words)
        assert list(Course.objects.published_search_ranks("te_st")) == [courses[2].pk]
    assert Course.objects.published_search_ranks("!!") == {}
