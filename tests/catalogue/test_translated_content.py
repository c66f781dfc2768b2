"""Course texts per language (issue 16): French and English columns, the Dutch fallback marked
lang="nl" with one note per page, and the Dutch text kept by the migration."""

import re

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from catalogue.languages import url_in_language
from tests.factories import CourseFactory
from trainings.models import Audience, Course, Format, Theme

pytestmark = pytest.mark.django_db

NOTE_NL = "Deze tekst is (nog) niet vertaald en staat in het Nederlands."


def page(client, url: str, language: str) -> str:
    response = client.get(url_in_language(url, language))
    assert response.status_code == 200
    assert response["Content-Language"] == language
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
    assert '<h3 class="card__title" lang="nl"><a href="/fr/trainingen/leesplezier/">' in html
    assert (
        '<h3 class="card__title"><a href="/fr/trainingen/voorlezen/">Lire à voix haute</a>' in html
    )
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


GSOB = reverse("catalogue:course-detail", args=["digitale-ongelijkheden-overheidsdiensten"])


@pytest.mark.usefixtures("catalogue")
def test_french_gsob_page_reads_entirely_in_french(client):
    html = page(client, GSOB, "fr")
    for french in (
        "<h1>Prévenir et combattre les inégalités numériques dans la digitalisation des "
        "services publics</h1>",
        "Formation pratique de trois heures pour les agents bruxellois",
        "Baromètre de l&#x27;inclusion numérique 2020",  # description
        "Prendre conscience de la fracture numérique",  # objectives
        "Les agents des communes et CPAS bruxellois",  # audience
        "jeux de rôle",  # methods
        "poser un diagnostic clair",  # content (programme)
        "garanties jusqu&#x27;au 31 décembre 2022",  # practical information
        "Gratuit pour le personnel des pouvoirs locaux bruxellois",  # price condition
        "Contactez-nous pour une session sur mesure.",
        "Administration et organisation",  # theme
        "Agents des communes et CPAS",  # audience tag
    ):
        assert french in html, french
    for dutch in ("Voorkomen en bestrijden", "Praktijkgerichte training", "rollenspellen"):
        assert dutch not in html
    # Only the related courses, not translated, are in Dutch (and say so once).
    own, related = html.split("<main", 1)[1].split('id="related-title"')
    assert not re.search(r'\slang="nl"', own)
    assert re.search(r'\slang="nl"', related)
    assert html.count('class="fallback-note"') == 1


@pytest.mark.usefixtures("catalogue")
def test_english_gsob_page_has_its_english_texts(client):
    html = page(client, GSOB, "en")
    assert (
        "<h1>Preventing and tackling digital inequalities as public services go digital</h1>"
    ) in html
    assert "Free for staff of Brussels local authorities" in html
    assert "Praktijkgerichte training" not in html


@pytest.mark.usefixtures("catalogue")
def test_dutch_gsob_page_is_unchanged(client):
    html = page(client, GSOB, "nl")
    assert (
        "<h1>Voorkomen en bestrijden van digitale ongelijkheden bij de digitalisering van "
        "overheidsdiensten</h1>"
    ) in html
    assert "inégalités" not in html


@pytest.mark.usefixtures("catalogue", "no_page_cache")
@pytest.mark.parametrize(
    "url",
    [reverse("catalogue:home"), reverse("catalogue:course-list"), GSOB],
    ids=["home", "list", "course"],
)
def test_french_pages_cost_the_same_queries_as_dutch(client, url):
    counts = {}
    for language in ("nl", "fr", "en"):
        address = url_in_language(url, language)
        client.get(address)  # warm up sessions, content types, …
        with CaptureQueriesContext(connection) as queries:
            assert client.get(address).status_code == 200
        counts[language] = len(queries)
    assert counts["fr"] == counts["nl"] == counts["en"]


@pytest.mark.django_db
def test_seed_taxonomy_has_french_names(catalogue):
    with translation.override("fr"):
        assert Format.objects.get(slug="klassikaal").name == "En présentiel"
        assert Theme.objects.get(slug="bestuur-en-organisatie").name == (
            "Administration et organisation"
        )
    assert not Format.objects.filter(name_fr__isnull=True).exists()
    assert not Theme.objects.filter(name_fr__isnull=True).exists()
    assert not Audience.objects.filter(name_fr__isnull=True).exists()


def test_admin_edits_course_texts_in_each_language(client, admin_user):
    client.force_login(admin_user)
    html = client.get(reverse("admin:trainings_course_add")).content.decode()
    for language in ("nl", "fr", "en"):
        for field in ("title", "summary", "description", "objectives", "practical_info"):
            assert f'name="{field}_{language}"' in html
    assert 'name="prices-0-condition_fr"' in html or 'name="prices-__prefix__-condition_fr"' in html
    assert 'name="programme-__prefix__-topics_fr"' in html
    for model in ("provider", "learningpath", "profile", "resource"):
        add = client.get(reverse(f"admin:trainings_{model}_add")).content.decode()
        assert "_fr" in add and '_nl"' in add, model


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_migration_keeps_the_dutch_text_and_goes_back():
    before = [("trainings", "0011_taxonomy_names_in_french")]
    after = [("trainings", "0012_content_translations")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    try:
        executor.loader.build_graph()
        old = executor.loader.project_state(before).apps
        old.get_model("trainings", "Course").objects.create(
            title="Leesplezier", slug="leesplezier", summary="Over lezen.", objectives="Lezen"
        )
        old.get_model("trainings", "Format").objects.create(
            name="Klassikaal", name_nl="Klassikaal", slug="klassikaal", position=1
        )

        executor = MigrationExecutor(connection)
        executor.migrate(after)
        executor.loader.build_graph()
        new = executor.loader.project_state(after).apps
        course = new.get_model("trainings", "Course").objects.get(slug="leesplezier")
        assert (course.title_nl, course.summary_nl, course.objectives_nl) == (
            "Leesplezier",
            "Over lezen.",
            "Lezen",
        )
        assert (course.title_fr, course.title_en) == (None, None)
        assert new.get_model("trainings", "Format").objects.get().name_fr == "En présentiel"
        # Edited in the admin before going back: the Dutch text is what remains.
        new.get_model("trainings", "Course").objects.update(title_nl="Leesplezier!")

        executor = MigrationExecutor(connection)
        executor.migrate(before)
        executor.loader.build_graph()
        old = executor.loader.project_state(before).apps
        assert old.get_model("trainings", "Course").objects.get().title == "Leesplezier!"
        assert old.get_model("trainings", "Format").objects.get().name_fr is None
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
