"""Search over the real catalogue, on SQLite and on PostgreSQL (Dutch text search)."""

import html5lib
import pytest
from django.urls import reverse
from django.utils import translation

from catalogue.languages import url_in_language
from catalogue.public.filters import CourseFilter
from tests.factories import AudienceFactory, CourseFactory, ProviderFactory
from trainings.matching import normalise, stem
from trainings.models import Course, LearningPath, Resource
from trainings.search import refresh, search_other, suggest

pytestmark = pytest.mark.django_db

URL = reverse("catalogue:course-list")


def found(query: str) -> list[str]:
    filterset = CourseFilter({"q": query}, queryset=Course.objects.published())
    return list(filterset.ordered(filterset.qs).values_list("slug", flat=True))


def test_prefix_finds_the_longer_word(catalogue):
    assert "netwerk-mediawijsheid" in found("mediawijs")


@pytest.mark.parametrize("query", ["coordinatoren", "Coördinatoren", "COÖRDINATOREN"])
def test_accents_and_capitals_do_not_matter(catalogue, query):
    assert "samenwerken-in-het-ido-netwerk" in found(query)


def test_every_word_must_match(catalogue):
    both = found("privacy ido")
    assert set(both) <= set(found("privacy")) & set(found("ido"))
    assert both[0] == "privacy-in-het-ido"
    assert len(both) < len(found("ido"))


def test_provider_and_audience_names_are_searched(catalogue):
    assert "didactische-vaardigheden" in found("Cybersoek")
    assert "digitale-ongelijkheden-overheidsdiensten" in found("OCMW")


def test_title_matches_rank_first(catalogue):
    results = found("privacy")
    assert results[0] == "privacy-in-het-ido"
    assert len(results) > 1  # other trainings mention privacy further down their text


def test_typo_gets_a_suggestion(client, catalogue):
    assert found("mediawijsheit") == []
    assert suggest("mediawijsheit") == "mediawijsheid"
    response = client.get(URL, {"q": "privasy in het ido"})
    html = response.content.decode()
    assert "Bedoelde je" in html and "privacy in het ido" in html.lower()
    assert response.context["suggestion_url"] == "?q=privacy+in+het+ido"


def test_no_suggestion_for_words_that_exist(catalogue):
    assert suggest("privacy") is None
    assert suggest("mediawijs") is None  # a prefix of a known word


def test_relevance_is_the_default_order_with_a_search(client, catalogue):
    response = client.get(URL, {"q": "privacy"})
    assert response.context["ordering"] == "relevance"
    assert "/privacy-in-het-ido/" in response.context["cards"][0].url
    assert client.get(URL).context["ordering"] == "title"
    assert client.get(URL, {"order": "relevance"}).context["ordering"] == "title"


def test_renaming_a_provider_reaches_the_search_after_refresh():
    provider = ProviderFactory(name="Oude Naam")
    course = CourseFactory(providers=[provider], title="Iets")
    provider.name = "Stichting Nieuwenaam"
    provider.save()
    assert found("nieuwenaam") == []
    refresh(provider.courses.values_list("pk", flat=True))
    assert found("nieuwenaam") == [course.slug]


def test_admin_save_of_a_provider_refreshes_its_courses(admin_client):
    provider = ProviderFactory(name="Oude Naam", slug="oude-naam")
    course = CourseFactory(providers=[provider], audiences=[AudienceFactory()])
    admin_client.post(
        reverse("admin:trainings_provider_change", args=[provider.pk]),
        {
            "name": "Stichting Nieuwenaam",
            "slug": "oude-naam",
            "kind": "provider",
            "description": "",
            "website": "",
            "email": "",
        },
    )
    assert found("nieuwenaam") == [course.slug]


def test_normalise():
    assert normalise("Coördinatoren Ë é") == "coordinatoren e e"


@pytest.mark.postgres
@pytest.mark.parametrize(
    "query, slug",
    [
        ("trainingsacteurs", "ido-vaardigheidstraining"),  # plural finds singular
        ("gesprekken", "mentale-weerbaarheid-en-gespreksvaardigheden"),
        ("bibliotheken", "community-librarian"),
    ],
)
def test_dutch_stemming_on_postgres(catalogue, query, slug):
    assert slug in found(query)


@pytest.mark.postgres
def test_the_word_inside_a_compound_is_found_through_an_index(catalogue):
    # A search also looks for a word inside a compound (search_text LIKE '%…%', beside the
    # text-search vector, which has its own index). Without a trigram index for it every
    # search read every course row (migration trainings.0014). The test catalogue is small
    # enough for reading every row to be cheaper, so the plans that do are switched off to
    # see what the indexes allow.
    from django.db import connection

    inside = Course.objects.filter(search_text__contains="dienst").order_by().values("pk")
    sql, params = inside.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "Bitmap Index Scan on course_search_text_trgm" in plan


@pytest.mark.parametrize("query", ["?", "a b c", "-- ''", "!!!"])
def test_query_without_real_words_shows_everything(client, catalogue, query):
    # Found by the fuzz test: this once failed on ordering by a rank that was not there.
    response = client.get(URL, {"q": query})
    assert response.status_code == 200
    assert response.context["page"].paginator.count == 24


# -- what people type (issue 13, item 6); on both backends ----------------------------------


@pytest.mark.parametrize(
    "query, slug",
    [
        ("didactiek", "didactische-vaardigheden"),  # another form of the same word
        ("Didactisch", "didactische-vaardigheden"),
        ("Bibliotheek Campus", "ido-e-learning"),  # in the practical information
        ("bewustzijn", "privacy-in-het-ido"),  # inside the compound "privacybewustzijn"
        ("bibliotheken", "community-librarian"),  # plural of a long vowel: bibliotheek
        ("gesprekken", "mentale-weerbaarheid-en-gespreksvaardigheden"),
        ("coordinatoren", "samenwerken-in-het-ido-netwerk"),
    ],
)
def test_forms_and_compounds_are_found_on_every_database(catalogue, query, slug):
    assert slug in found(query)


@pytest.mark.parametrize(
    "word, expected",
    [
        ("didactiek", "didact"),
        ("didactische", "didact"),
        ("bibliotheken", "bibliothe"),
        ("gesprekken", "gesprek"),
        ("mediawijsheid", "mediawijs"),
        ("vaardigheden", "vaardig"),
        ("ido", "ido"),  # short words stay as typed
        ("2026", "2026"),
    ],
)
def test_stem_keeps_the_part_the_forms_share(word, expected):
    assert stem(word) == expected


def others(query: str) -> list[tuple[str, str]]:
    with translation.override("nl"):
        return [(str(result.kind), result.title) for result in search_other(query)]


@pytest.mark.parametrize(
    "query, kind, title",
    [
        ("onboarding", "Onboardingtraject", "Onboardingtraject voor nieuwe medewerkers"),
        ("leergang", "Leergang", "Leergang digitaal burgerschap"),
        ("profiel", "Competentieprofiel", "Profiel IDO-kartrekker"),
        ("Profielen", "Competentieprofiel", "Profiel IDO-medewerker"),
        ("toolkit", "Materiaal", "Toolkit Vaardigheidstrainingen"),
        ("leerlijn", "Deskundigheidstraject", "Deskundigheidstraject Digitale inclusie"),
    ],
)
def test_learning_paths_profiles_and_resources_are_found_with_their_kind(
    catalogue, query, kind, title
):
    assert (kind, title) in others(query)


def test_the_results_page_lists_what_else_was_found_with_its_kind_and_link(client, catalogue):
    response = client.get(URL, {"q": "toolkit"})
    document = html5lib.parse(response.content, namespaceHTMLElements=False)
    section = document.find(".//section[@class='also-found']")
    items = {
        " ".join(" ".join(li.itertext()).split()): li.find("a").get("href")
        for li in section.iter("li")
    }
    resource = Resource.objects.get(title="Toolkit Vaardigheidstrainingen")
    key = f"Materiaal : Toolkit Vaardigheidstrainingen Bij: {resource.course.title}"
    assert items.get(key) == resource.course.get_absolute_url() + "#resources-title", items
    path = client.get(URL, {"q": "onboarding"}).content.decode()
    assert 'href="/leerlijnen/onboardingtraject-bibliotheeksector/"' in path
    english = client.get(url_in_language(URL, "en"), {"q": "profiel"}).content.decode()
    assert "Also found" in english and "Competency profile" in english


def test_unpublished_paths_and_resources_of_unpublished_courses_are_not_found(catalogue):
    LearningPath.objects.filter(title__startswith="Leergang").update(is_published=False)
    resource = Resource.objects.get(title="Toolkit Vaardigheidstrainingen")
    Course.objects.filter(pk=resource.course_id).update(is_published=False)
    assert others("leergang") == []
    assert others("toolkit") == [("Competentieprofiel", "Profiel IDO-kartrekker")]


def test_every_example_in_the_home_search_box_finds_a_training(client, catalogue):
    document = html5lib.parse(client.get("/").content, namespaceHTMLElements=False)
    placeholder = document.find(".//input[@id='home-q']").get("placeholder")
    examples = [word.strip() for word in placeholder.split(":", 1)[1].split(",")]
    assert len(examples) >= 3
    for example in examples:
        assert found(example), example
