"""The catalogue's course cards, rendered once per course, language and catalogue version.

A card shows what is offered (title, theme, formats, providers, prices, the next open
session's date), never places, so it stays right for as long as the catalogue index it is
kept in (catalogue/public/facet_index.py): that index belongs to one catalogue version and
ends when time alone changes the catalogue (a registration closing, a new day).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Prefetch, prefetch_related_objects
from django.utils import formats, timezone, translation
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from catalogue.public.facet_index import CARDS_KEPT, forget_oldest
from catalogue.templatetags.catalogue_tags import euro
from trainings.durations import duration_html
from trainings.localised import lang_attribute, translated_columns
from trainings.models import Course, Price
from trainings.models.taxonomy import Delivery
from trainings.precompiled import Precompiled
from trainings.querysets import attach_labels

PRICES = Prefetch("prices", queryset=Price.objects.order_by("position", "pk"))
CARD_FIELDS = [
    "slug",
    "level",
    "status",
    "available_from",
    "price_category",
    "delivery",
    "external_url",
    *translated_columns("title"),
    *translated_columns("summary"),
    "title",
    "summary",
    "duration",
    "platform_name",
    "theme",
    *(f"theme__{column}" for column in ["slug", *translated_columns("name"), "name"]),
]


@dataclass(frozen=True)
class Card:
    html: SafeString
    untranslated: bool  # some of its text is shown in Dutch (the page says so once)
    title: str
    url: str


@dataclass(frozen=True)
class Words:
    """The fixed text of a card in one language: looked up once per language, not a few
    times a card (each gettext asks for the active language again)."""

    in_development: str
    expected_from: str
    expected: str
    provider: str
    duration: str
    price: str
    book_at_provider: str
    on_platform: str
    on_other_platform: str
    follow: str
    not_planned: str
    next_session: str
    per_participant: str
    free_under_condition: str
    per_reserved_session: str
    custom_session: str


_words: dict[str, Words] = {}


def card_words() -> Words:
    """The cards' fixed text in the active language."""
    language = translation.get_language()
    found = _words.get(language)
    if found is None:
        found = _words[language] = Words(
            in_development=gettext("In ontwikkeling"),
            expected_from=gettext("Verwacht vanaf %(month)s"),
            expected=gettext("Verwacht"),
            provider=gettext("Aanbieder"),
            duration=gettext("Duur"),
            price=gettext("Prijs"),
            book_at_provider=gettext("boeken bij de aanbieder"),
            on_platform=gettext("op %(platform)s"),
            on_other_platform=gettext("op een ander leerplatform"),
            follow=gettext("Volgen"),
            not_planned=gettext("nog niet gepland"),
            next_session=gettext("Eerstvolgende sessie"),
            per_participant=gettext("%(amount)s per deelnemer"),
            free_under_condition=gettext("gratis onder voorwaarde"),
            per_reserved_session=gettext("%(amount)s per gereserveerde sessie"),
            custom_session=gettext("sessie op maat op aanvraag"),
        )
    return found


def render_card(course: Course, words: Words | None = None) -> Card:
    """The card of a course with its labels (attach_labels) and prices, in the active
    language. Built in Python rather than by the template engine: a catalogue page shows up
    to 20 cards, and a template took about 0.5 ms a card (at 10 000 courses most cards of a
    filtered page are drawn for the first time)."""
    words = words or card_words()
    url = course.get_absolute_url()
    # As {% fallback_lang %}: lang="nl" on text shown in Dutch.
    title_lang, summary_lang = lang_attribute(course, "title"), lang_attribute(course, "summary")
    tags = []
    if course.theme:
        tags.append(f'<span class="tag">{escape(course.theme.name)}</span>')
    if course.level:
        tags.append(f'<span class="tag tag--quiet">{escape(course.get_level_display())}</span>')
    labels = course.labels
    tags += (f'<span class="tag tag--quiet">{escape(f.name)}</span>' for f in labels.formats)
    if course.is_in_development:
        tags.append(f'<span class="tag tag--notice">{words.in_development}</span>')
    elif course.is_expected:
        if course.available_from:
            month = escape(formats.date_format(course.available_from, "F Y"))
            expected = words.expected_from % {"month": month}
        else:
            expected = words.expected
        tags.append(f'<span class="tag tag--notice">{expected}</span>')
    facts = []
    if labels.providers:
        names = ", ".join(escape(p.name) for p in labels.providers)
        facts.append(_fact(words.provider, names))
    if course.duration:
        facts.append(_fact(words.duration, duration_html(course.duration)))
    prices = course.prices.all()
    if prices:
        facts.append(_fact(words.price, " · ".join(price_summary(p, words) for p in prices)))
    elif course.price_category:
        category = escape(course.get_price_category_display().lower())
        facts.append(_fact(words.price, category))
    if course.runs_elsewhere:
        if course.delivery != Delivery.PLATFORM:
            where = words.book_at_provider
        elif course.platform_name:
            where = words.on_platform % {"platform": escape(course.platform_name)}
        else:
            where = words.on_other_platform
        facts.append(_fact(words.follow, where))
    else:
        starts = getattr(course, "next_session_at", None)
        if starts:
            starts = timezone.localtime(starts)
            when = (
                f'<time datetime="{formats.date_format(starts, "c")}">'
                f"{escape(formats.date_format(starts, 'j F Y'))}</time>"
            )
        else:
            when = words.not_planned
        facts.append(_fact(words.next_session, when))
    html = mark_safe(
        '<article class="card">\n'
        f'  <h3 class="card__title"{title_lang}><a href="{escape(url)}">'
        f"{escape(course.title)}</a></h3>\n"
        f'  <p class="card__tags">{"".join(tags)}</p>\n'
        f'  <p class="card__summary"{summary_lang}>{escape(course.summary)}</p>\n'
        f'  <dl class="facts facts--inline">{"".join(facts)}</dl>\n'
        "</article>\n"
    )
    return Card(html, bool(title_lang or summary_lang), course.title, url)


def _fact(term: str, description: str) -> str:
    return f"<div><dt>{term}</dt><dd>{description}</dd></div>"


def price_summary(price: Price, words: Words | None = None) -> str:
    """A price in a line of the card ("€ 25,00 per deelnemer")."""
    words = words or card_words()
    if price.kind == Price.Kind.PER_PARTICIPANT:
        return words.per_participant % {"amount": escape(euro(price.amount))}
    if price.kind == Price.Kind.FREE_UNDER_CONDITION:
        return words.free_under_condition
    if price.kind == Price.Kind.PER_RESERVED_SESSION:
        amount = escape(euro(price.amount))
        return words.per_reserved_session % {"amount": amount}
    return words.custom_session


# What a card shows of its courses, compiled to SQL once per number of courses.
CARD_COURSES = Precompiled(
    lambda ids: (
        Course.objects.filter(pk__in=ids).select_related("theme").only(*CARD_FIELDS).order_by()
    )
)


def load_courses(ids: list[int], index=None) -> list[Course]:
    """The courses with what their card shows, in the order of ids: three queries; one when
    the catalogue index gives the prices and the providers, formats and audiences."""
    if not ids:
        return []
    by_id = {course.pk: course for course in CARD_COURSES.all(ids=tuple(ids))}
    found = [by_id[pk] for pk in ids if pk in by_id]
    if index is None:
        prefetch_related_objects(found, PRICES)
        return attach_labels(found)
    elsewhere = []
    for course in found:
        course.labels = index.labels_of(course.pk)
        if course.labels is None:  # not in the index (it lists published courses only)
            elsewhere.append(course)
            continue
        # As prefetch_related("prices") leaves them: course.prices.all() gives the prices
        # (as the card shows them: kind and amount) in the course's order.
        prices = index.card_prices[index.position[course.pk]]
        course._prefetched_objects_cache = {"prices": list(prices)}
    if elsewhere:
        prefetch_related_objects(elsewhere, PRICES)
        attach_labels(elsewhere)
    return found


def cards_for(ids: list[int], index=None) -> list[Card]:
    """The cards of these courses; with an index, those rendered before come from it."""
    language = translation.get_language()
    found: dict[int, Card] = {}
    if index is not None:
        for pk in ids:
            card = index.cards.get((language, pk))
            if card is not None:
                found[pk] = card
    missing = [pk for pk in ids if pk not in found]
    if missing:
        words = card_words()
        for course in load_courses(missing, index):
            if index is not None:
                course.next_session_at = index.next_session.get(course.pk)
            card = render_card(course, words)
            found[course.pk] = card
            if index is not None:
                if len(index.cards) >= CARDS_KEPT:
                    forget_oldest(index.cards)
                index.cards[(language, course.pk)] = card
    return [found[pk] for pk in ids if pk in found]
