"""The catalogue's course cards (catalogue/public/cards.py): built in Python, so what the
template engine did for free is checked here: escaping, translations, the lang marks."""

import datetime
import re

import pytest
from django.utils import timezone, translation

from catalogue.public.cards import load_courses, render_card
from tests.factories import (
    CourseFactory,
    FormatFactory,
    PriceFactory,
    ProviderFactory,
    ThemeFactory,
)
from trainings.models import Delivery, Level, Lifecycle, Price, PriceCategory, Profile

pytestmark = pytest.mark.django_db


def card(course, language="nl", **attributes):
    with translation.override(language):
        (loaded,) = load_courses([course.pk])
        for name, value in attributes.items():
            setattr(loaded, name, value)
        return render_card(loaded)


def text(html: str) -> str:
    return re.sub(r"[ \n]+", " ", re.sub(r"<[^>]+>", " ", html)).strip()  # keeps no-break spaces


def test_a_card_escapes_what_editors_typed():
    course = CourseFactory(
        title="Lezen <script>alert(1)</script> & schrijven",
        summary='Over "citeren" & <b>bronnen</b>',
        formats=[FormatFactory(name="Klassikaal & online")],
        providers=[ProviderFactory(name="Bieb <Oost>"), ProviderFactory(name="POI")],
    )
    html = card(course).html
    assert "<script>" not in html and "<b>" not in html and "<Oost>" not in html
    assert "Lezen &lt;script&gt;alert(1)&lt;/script&gt; &amp; schrijven</a></h3>" in html
    assert "Over &quot;citeren&quot; &amp; &lt;b&gt;bronnen&lt;/b&gt;" in html
    assert '<span class="tag tag--quiet">Klassikaal &amp; online</span>' in html
    assert "<dd>Bieb &lt;Oost&gt;, POI</dd>" in html
    assert card(course).title == course.title


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        (
            "nl",
            "Prijs €\xa025,00 per deelnemer · gratis onder voorwaarde · "
            "€\xa0300,00 per gereserveerde sessie · sessie op maat op aanvraag",
        ),
        (
            "fr",
            "Prix 25,00\xa0€ par participant · gratuit sous condition · "
            "300,00\xa0€ par session réservée · session sur mesure sur demande",
        ),
        (
            "en",
            "Price €25.00 per participant · free subject to conditions · "
            "€300.00 per reserved session · custom session on request",
        ),
    ],
)
def test_a_card_sums_up_every_price_in_the_visitors_language(language, expected):
    course = CourseFactory(level=Level.ADVANCED, duration="3 uur")
    for position, (kind, amount) in enumerate(
        [
            (Price.Kind.PER_PARTICIPANT, "25.00"),
            (Price.Kind.FREE_UNDER_CONDITION, None),
            (Price.Kind.PER_RESERVED_SESSION, "300.00"),
            (Price.Kind.CUSTOM_SESSION, None),
        ]
    ):
        condition = "Bij vijf deelnemers" if kind == Price.Kind.FREE_UNDER_CONDITION else ""
        PriceFactory(
            course=course, kind=kind, amount=amount, condition=condition, position=position
        )
    shown = text(card(course, language).html)
    assert expected in shown
    assert {"nl": "Verdieping", "fr": "Approfondissement", "en": "Advanced"}[language] in shown
    assert {"nl": "3 uur", "fr": "3 heures", "en": "3 hours"}[language] in shown


def test_a_card_without_prices_names_its_price_category():
    course = CourseFactory(price_category=PriceCategory.PARTIALLY_FREE)
    assert "<dt>Prijs</dt><dd>deels gratis</dd>" in card(course).html


def test_a_card_gives_the_next_session_as_a_local_date():
    course = CourseFactory()
    # 23:30 UTC on 31 March is 1 April in Amsterdam and Brussels.
    starts = datetime.datetime(2027, 3, 31, 23, 30, tzinfo=datetime.UTC)
    html = card(course, "fr", next_session_at=starts).html
    assert '<time datetime="2027-04-01T01:30:00+02:00">1 avril 2027</time>' in html
    assert "nog niet gepland" in card(course).html


def test_a_card_says_where_a_course_elsewhere_is_taken():
    platform = CourseFactory(
        delivery=Delivery.PLATFORM, external_url="https://x.example", platform_name="Campus & Co"
    )
    assert "<dt>Volgen</dt><dd>op Campus &amp; Co</dd>" in card(platform).html
    unnamed = CourseFactory(delivery=Delivery.PLATFORM, external_url="https://x.example")
    assert "<dd>op een ander leerplatform</dd>" in card(unnamed).html
    provider = CourseFactory(delivery=Delivery.PROVIDER, external_url="https://x.example")
    assert "<dd>boeken bij de aanbieder</dd>" in card(provider).html
    assert "Eerstvolgende sessie" not in card(provider).html


def test_a_card_marks_a_course_in_development_or_expected():
    developing = CourseFactory(status=Lifecycle.IN_DEVELOPMENT)
    assert '<span class="tag tag--notice">In ontwikkeling</span>' in card(developing).html
    future = datetime.date(timezone.localdate().year + 2, 3, 1)
    expected = CourseFactory(status=Lifecycle.EXPECTED, available_from=future)
    html = card(expected, "fr").html
    assert f'<span class="tag tag--notice">Prévue à partir de mars {future.year}</span>' in html
    undated = CourseFactory(status=Lifecycle.EXPECTED)
    assert '<span class="tag tag--notice">Verwacht</span>' in card(undated).html


def test_a_card_marks_dutch_text_on_a_french_page():
    course = CourseFactory(title="Voorlezen", summary="Samen lezen.")
    shown = card(course, "fr")
    assert shown.untranslated
    assert '<h3 class="card__title" lang="nl">' in shown.html
    assert '<p class="card__summary" lang="nl">' in shown.html
    course.title_fr, course.summary_fr = "Lire à voix haute", "Lire ensemble."
    course.save()
    translated = card(course, "fr")
    assert not translated.untranslated
    assert '<h3 class="card__title"><a href="/fr/trainingen/voorlezen/">Lire à voix haute' in (
        translated.html
    )
    assert not card(course, "nl").untranslated


def test_a_profile_page_shows_the_cards_and_says_once_that_text_is_dutch(client):
    course = CourseFactory(title="Voorlezen", providers=[ProviderFactory(name="POI")])
    PriceFactory(course=course)
    profile = Profile.objects.create(name="Leesconsulent", slug="leesconsulent")
    profile.courses.add(course)
    html = client.get(f"/fr{profile.get_absolute_url()}").content.decode()
    assert '<h3 class="card__title" lang="nl"><a href="/fr/trainingen/voorlezen/">' in html
    assert "25,00\xa0€ par participant" in html
    assert html.count('class="fallback-note"') == 1


@pytest.mark.parametrize("language", ["nl", "fr", "en"])
def test_a_card_reads_each_text_as_the_models_descriptors_do(language):
    """The card reads the language columns itself (once per language, not per field); what it
    shows must stay what modeltranslation's fallback gives: the language, else Dutch."""
    theme = ThemeFactory(name="Leesbevordering", name_fr="Promotion de la lecture")
    course = CourseFactory(
        title="Voorlezen", title_en="Reading aloud", summary="Samen lezen.", theme=theme
    )
    course.summary_fr = "Lire ensemble."
    course.level = Level.BASIC
    course.save()
    html = card(course, language).html
    with translation.override(language):
        course.refresh_from_db()
        theme.refresh_from_db()
        level = str(course.get_level_display())
        assert f'<a href="{course.get_absolute_url()}">{course.title}</a>' in html
        assert f">{course.summary}</p>" in html
        assert f'<span class="tag">{theme.name}</span>' in html
        assert f'<span class="tag tag--quiet">{level}</span>' in html
    title_lang = ' lang="nl"' if language == "fr" else ""
    summary_lang = ' lang="nl"' if language == "en" else ""
    assert f'<h3 class="card__title"{title_lang}>' in html
    assert f'<p class="card__summary"{summary_lang}>' in html


def test_a_cards_next_session_follows_the_active_time_zone():
    """Dates are put into words once per moment, language and time zone."""
    course = CourseFactory()
    starts = datetime.datetime(2027, 3, 31, 23, 30, tzinfo=datetime.UTC)
    in_brussels = card(course, "nl", next_session_at=starts).html
    with timezone.override("America/New_York"):
        in_new_york = card(course, "nl", next_session_at=starts).html
    assert '<time datetime="2027-04-01T01:30:00+02:00">1 april 2027</time>' in in_brussels
    assert '<time datetime="2027-03-31T19:30:00-04:00">31 maart 2027</time>' in in_new_york


@pytest.mark.parametrize("language", ["nl", "fr", "en"])
def test_a_card_from_the_catalogue_index_is_the_card_from_the_model(language):
    """With the catalogue index, a card is drawn from a row of its columns (CardCourse) and
    the index's prices and labels; without it, from a Course: the same HTML."""
    from catalogue.public import facet_index
    from catalogue.public.cards import cards_for

    theme = ThemeFactory(name="Leesbevordering", name_fr="Promotion de la lecture")
    courses = [
        CourseFactory(
            title="Voorlezen",
            title_fr="Lire à voix haute",
            summary="Samen lezen.",
            summary_en="Reading together.",
            theme=theme,
            level=Level.ADVANCED,
            duration="2 dagdelen",
            formats=[FormatFactory(name="Klassikaal", name_en="Classroom")],
            providers=[ProviderFactory(name="Bieb <Oost>")],
        ),
        CourseFactory(price_category=PriceCategory.FREE, status=Lifecycle.IN_DEVELOPMENT),
        CourseFactory(
            delivery=Delivery.PLATFORM, external_url="https://x.example", platform_name="Campus"
        ),
    ]
    PriceFactory(course=courses[0], kind=Price.Kind.PER_PARTICIPANT, amount="95.00")
    ids = [course.pk for course in courses]
    with translation.override(language):
        index = facet_index.build_index()
        from_index = cards_for(ids, index)
        from_models = []
        for course in load_courses(ids):
            course.next_session_at = index.next_session.get(course.pk)
            from_models.append(render_card(course))
    assert [card.html for card in from_index] == [card.html for card in from_models]
    assert [card.untranslated for card in from_index] == [c.untranslated for c in from_models]
    assert len(from_index) == 3
