"""The catalogue's course cards, rendered once per course, language and catalogue version.

A card shows what is offered (title, theme, formats, providers, prices, the next open
session's date), never places, so it stays right for as long as the catalogue index it is
kept in (catalogue/public/facet_index.py): that index belongs to one catalogue version and
ends when time alone changes the catalogue (a registration closing, a new day).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Prefetch, prefetch_related_objects
from django.template.loader import render_to_string
from django.utils import translation

from catalogue.public.facet_index import CARDS_KEPT, forget_oldest
from trainings.localised import translated_columns
from trainings.models import Course, Price
from trainings.querysets import attach_labels

CARD_TEMPLATE = "catalogue/partials/_course_card.html"
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
    html: str
    untranslated: bool  # some of its text is shown in Dutch (the page says so once)
    title: str
    url: str


class _Marks:
    """Stands in for the request while a card renders: {% fallback_lang %} marks on it
    that the card shows Dutch text."""

    shows_untranslated = False


def render_card(course: Course) -> Card:
    marks = _Marks()
    html = render_to_string(CARD_TEMPLATE, {"course": course, "request": marks})
    return Card(html, marks.shows_untranslated, course.title, course.get_absolute_url())


def load_courses(ids: list[int], index=None) -> list[Course]:
    """The courses with what their card shows, in the order of ids: three queries; one when
    the catalogue index gives the prices and the providers, formats and audiences."""
    courses = Course.objects.filter(pk__in=ids).select_related("theme").only(*CARD_FIELDS)
    if index is None:
        courses = courses.prefetch_related(PRICES)
    by_id = {course.pk: course for course in courses}
    found = [by_id[pk] for pk in ids if pk in by_id]
    if index is None:
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
        for course in load_courses(missing, index):
            if index is not None:
                course.next_session_at = index.next_session.get(course.pk)
            card = render_card(course)
            found[course.pk] = card
            if index is not None:
                if len(index.cards) >= CARDS_KEPT:
                    forget_oldest(index.cards)
                index.cards[(language, course.pk)] = card
    return [found[pk] for pk in ids if pk in found]
