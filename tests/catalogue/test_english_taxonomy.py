"""English pages show formats, themes, audiences and durations in English, and mark the Dutch
course texts as Dutch; Dutch pages stay as they were."""

import re

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from catalogue.languages import url_in_language
from tests.factories import CourseFactory, FormatFactory, ThemeFactory
from trainings.models import Audience, Format, Theme

LIST = reverse("catalogue:course-list")
# Seed course with the duration "3 uur", theme Bestuur en organisatie, format Klassikaal.
COURSE = reverse("catalogue:course-detail", args=["digitale-ongelijkheden-overheidsdiensten"])
DUTCH_LANG = re.compile(r'\slang="nl"')


def get(client, url, language, **params):
    response = client.get(url_in_language(url, language), params)
    assert response.status_code == 200
    assert response["Content-Language"] == language
    return response.content.decode()


@pytest.mark.usefixtures("catalogue")
def test_english_catalogue_shows_english_taxonomy(client):
    html = get(client, LIST, "en")
    for english in ("Classroom", "Live online", "Digital inclusion &amp; IDO", "IDO staff"):
        assert english in html
    for dutch in ("Klassikaal", "Online live", "Digitale inclusie &amp; IDO", "IDO-medewerkers"):
        assert dutch not in html


@pytest.mark.usefixtures("catalogue")
def test_dutch_catalogue_keeps_dutch_taxonomy(client):
    html = get(client, LIST, "nl")
    for dutch in ("Klassikaal", "Online live", "Digitale inclusie &amp; IDO", "IDO-medewerkers"):
        assert dutch in html
    assert "Classroom" not in html
    assert "Digital inclusion" not in html


@pytest.mark.usefixtures("catalogue", "no_page_cache")
def test_english_filter_by_slug_finds_the_same_courses_and_labels_the_chip_in_english(client):
    dutch = get(client, LIST, "nl", format="klassikaal", theme="bestuur-en-organisatie")
    english = get(client, LIST, "en", format="klassikaal", theme="bestuur-en-organisatie")
    titles = re.compile(r'class="card__title"[^>]*><a href="([^"]+)"')
    # The same courses, each linked to its page in the language of the listing.
    assert titles.findall(english) == ["/en" + url for url in titles.findall(dutch)]
    assert titles.findall(english)  # the filter matched something
    # The chosen option and its "remove" chip carry the English name.
    assert "Governance and organisation" in english
    assert "Bestuur en organisatie" not in english


@pytest.mark.usefixtures("catalogue")
def test_english_course_page_shows_english_taxonomy_and_duration(client):
    html = get(client, COURSE, "en")
    assert "3 hours" in html
    assert "3 uur" not in html
    assert "Governance and organisation" in html
    assert "Classroom" in html
    assert "Civil servants of municipalities and OCMWs" in html
    assert "Bestuur en organisatie" not in html
    assert "Klassikaal" not in html


@pytest.mark.usefixtures("catalogue")
def test_dutch_course_page_is_unchanged(client):
    html = get(client, COURSE, "nl")
    assert "3 uur" in html
    assert "Bestuur en organisatie" in html
    assert "Klassikaal" in html
    assert "Ambtenaren van gemeenten en OCMW&#x27;s" in html
    # The page is Dutch: no element repeats that (only <html lang="nl"> itself says it).
    assert len(DUTCH_LANG.findall(html)) == 1
    assert '<html lang="nl">' in html


@pytest.mark.usefixtures("catalogue")
def test_english_pages_mark_dutch_course_text(client):
    # A seed course with Dutch texts only (the GSOB one has English texts, unmarked).
    dutch_only = get(
        client, reverse("catalogue:course-detail", args=["ido-vaardigheidstraining"]), "en"
    )
    assert '<html lang="en">' in dutch_only
    assert re.search(r'<h1 lang="nl">IDO-vaardigheidstraining</h1>', dutch_only)
    assert re.search(r'<p class="lead" lang="nl">', dutch_only)
    html = get(client, COURSE, "en")
    assert re.search(r"<h1>Preventing and tackling digital inequalities", html)
    listing = get(client, LIST, "en")
    assert re.search(r'<h3 class="card__title" lang="nl"><a href="/en/trainingen/', listing)
    assert '<p class="card__summary" lang="nl">' in listing
    # Translated texts are not marked: the theme tag and the format list are English.
    assert re.search(r'<span class="tag">Governance and organisation</span>', html)


@pytest.mark.django_db
def test_unknown_duration_is_marked_dutch_on_english_pages(client):
    course = CourseFactory(duration="in eigen tempo")
    html = get(client, course.get_absolute_url(), "en")
    assert '<span lang="nl">in eigen tempo</span>' in html
    html = get(client, course.get_absolute_url(), "nl")
    assert "<dd>in eigen tempo</dd>" in html


@pytest.mark.django_db
def test_missing_english_name_falls_back_to_dutch(client):
    theme = ThemeFactory(name="Leesbevordering", slug="leesbevordering")
    course = CourseFactory(theme=theme, formats=[FormatFactory(name="Webinar", slug="webinar")])
    assert Theme.objects.get(pk=theme.pk).name_en is None
    html = get(client, course.get_absolute_url(), "en")
    assert '<span class="tag">Leesbevordering</span>' in html
    listing = get(client, LIST, "en")
    assert "Leesbevordering" in listing
    assert "Webinar" in listing


@pytest.mark.usefixtures("catalogue", "no_page_cache")
@pytest.mark.parametrize("params", [{}, {"format": "klassikaal", "audience": "ido-medewerkers"}])
def test_english_catalogue_costs_the_same_queries_as_dutch(client, params):
    counts = {}
    for language in ("nl", "en"):
        url = url_in_language(LIST, language)
        client.get(url, params)  # warm up sessions, content types, …
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url, params)
        assert response.status_code == 200
        counts[language] = len(queries)
    assert counts["en"] == counts["nl"]


@pytest.mark.usefixtures("catalogue", "no_page_cache")
def test_english_course_page_costs_the_same_queries_as_dutch(client):
    counts = {}
    for language in ("nl", "en"):
        url = url_in_language(COURSE, language)
        client.get(url)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        counts[language] = len(queries)
    assert counts["en"] == counts["nl"]


@pytest.mark.django_db
def test_fixture_names_are_loaded_per_language(catalogue):
    classroom = Format.objects.get(slug="klassikaal")
    assert (classroom.name_nl, classroom.name_en) == ("Klassikaal", "Classroom")
    with translation.override("en"):
        assert Audience.objects.get(slug="vrijwilligers").name == "Volunteers"
    with translation.override("nl"):
        assert Audience.objects.get(slug="vrijwilligers").name == "Vrijwilligers"
    assert not Format.objects.filter(name_en__isnull=True).exists()
    assert not Theme.objects.filter(name_en__isnull=True).exists()
    assert not Audience.objects.filter(name_en__isnull=True).exists()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_migrations_fill_the_names_and_go_back():
    before = [("trainings", "0008_sessionday_calendar_sequence")]
    after = [("trainings", "0010_taxonomy_english_names")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    try:
        executor.loader.build_graph()
        old = executor.loader.project_state(before).apps
        old.get_model("trainings", "Format").objects.create(
            name="Klassikaal", slug="klassikaal", position=1
        )
        old.get_model("trainings", "Theme").objects.create(name="Eigen thema", slug="eigen")

        executor = MigrationExecutor(connection)
        executor.migrate(after)
        executor.loader.build_graph()
        new = executor.loader.project_state(after).apps
        NewFormat = new.get_model("trainings", "Format")
        NewTheme = new.get_model("trainings", "Theme")
        classroom = NewFormat.objects.get(slug="klassikaal")
        assert (classroom.name_nl, classroom.name_en) == ("Klassikaal", "Classroom")
        own = NewTheme.objects.get(slug="eigen")
        assert (own.name_nl, own.name_en) == ("Eigen thema", None)
        # Edited in the admin before going back: the Dutch name is what remains.
        NewFormat.objects.filter(slug="klassikaal").update(name="Classroom", name_nl="Klassikaal")

        executor = MigrationExecutor(connection)
        executor.migrate(before)
        executor.loader.build_graph()
        old = executor.loader.project_state(before).apps
        assert old.get_model("trainings", "Format").objects.get(slug="klassikaal").name == (
            "Klassikaal"
        )
        assert old.get_model("trainings", "Theme").objects.get(slug="eigen").name == "Eigen thema"
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.usefixtures("catalogue")
@pytest.mark.parametrize(
    ("url", "heading"),
    [
        (
            reverse("catalogue:path-detail", args=["deskundigheidstraject-digitale-inclusie"]),
            "Deskundigheidstraject Digitale inclusie",
        ),
        (
            reverse("catalogue:profile-detail", args=["profiel-ido-medewerker"]),
            "Profiel IDO-medewerker",
        ),
    ],
)
def test_learning_paths_and_profiles_mark_their_dutch_texts(client, url, heading):
    english = get(client, url, "en")
    assert f'<h1 lang="nl">{heading}</h1>' in english
    # A course link, or the card heading around it, is marked Dutch.
    assert re.search(
        r'lang="nl"><a href="/en/trainingen/[^"]+/"|<a href="/en/trainingen/[^"]+/" lang="nl">',
        english,
    )
    dutch = get(client, url, "nl")
    assert f"<h1>{heading}</h1>" in dutch
    assert len(DUTCH_LANG.findall(dutch)) == 1


@pytest.mark.usefixtures("catalogue", "no_page_cache")
def test_english_taxonomy_names_are_searchable_in_both_languages(client):
    titles = re.compile(r'class="card__title"[^>]*><a href="([^"]+)"')
    english = titles.findall(get(client, LIST, "en", q="front-office staff"))
    dutch = titles.findall(get(client, LIST, "nl", q="frontoffice-medewerkers"))
    assert english
    assert "/en/trainingen/digitale-ongelijkheden-overheidsdiensten/" in english
    assert "/trainingen/digitale-ongelijkheden-overheidsdiensten/" in dutch
