"""The catalogue's course cards, rendered once per course, language and catalogue version.

A card shows what is offered (title, theme, formats, providers, prices, the next open
session's date), never places, so it stays right for as long as the catalogue index it is
kept in (catalogue/public/facet_index.py): that index belongs to one catalogue version and
ends when time alone changes the catalogue (a registration closing, a new day).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from html import escape  # what django.utils.html.escape does, without its lazy-text check

from django.db.models import Prefetch, prefetch_related_objects
from django.utils import formats, timezone, translation
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext
from modeltranslation.utils import resolution_order

from catalogue.public.facet_index import CARDS_KEPT, CardPrice, forget_oldest
from catalogue.templatetags.catalogue_tags import euro
from trainings.durations import duration_html
from trainings.localised import plain, shown_translation, translated_columns
from trainings.models import Course, Price
from trainings.models.taxonomy import Delivery, Level, PriceCategory
from trainings.precompiled import Precompiled
from trainings.querysets import attach_labels

PRICES = Prefetch("prices", queryset=Price.objects.order_by("position", "pk"))
# A published course's card read from one row, when the catalogue index gives its prices and
# labels: the columns it shows, the theme's name in every language last.
CARD_COLUMNS = (
    "pk",
    "slug",
    "level",
    "status",
    "available_from",
    "price_category",
    "delivery",
    "external_url",
    "duration",
    "platform_name",
    *translated_columns("title"),
    *translated_columns("summary"),
)
THEME_COLUMNS = tuple(translated_columns("name"))
# The same as a Course (load_courses without the index): its raw text fields and theme too.
CARD_FIELDS = [
    *CARD_COLUMNS[1:],
    "title",
    "summary",
    "theme",
    *(f"theme__{column}" for column in ["slug", *THEME_COLUMNS, "name"]),
]


@dataclass(frozen=True)
class Card:
    html: SafeString
    untranslated: bool  # some of its text is shown in Dutch (the page says so once)
    title: str
    url: str


@dataclass(frozen=True)
class Words:
    """What a card needs of one language, looked up once per language rather than a few
    times a card (each gettext, each translated field, each date asks for the active
    language again): the fixed text, the names of levels and price categories, and the order
    in which a translated text falls back (the language itself, then Dutch)."""

    language: str
    fallbacks: tuple[str, ...]  # modeltranslation's resolution order for the language
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
    levels: dict[str, str]  # Level value -> its name, escaped
    price_categories: dict[str, str]  # PriceCategory value -> its name in lower case, escaped


_words: dict[tuple, Words] = {}


def card_words() -> Words:
    """What the cards need of the active language."""
    language = translation.get_language()
    fallbacks = resolution_order(language)  # (language,) inside modeltranslation's fallbacks(False)
    found = _words.get((language, fallbacks))
    if found is None:
        found = _words[(language, fallbacks)] = Words(
            language=language,
            fallbacks=fallbacks,
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
            levels={value: escape(str(label)) for value, label in Level.choices},
            price_categories={
                value: escape(str(label).lower()) for value, label in PriceCategory.choices
            },
        )
    return found


def shown_text(obj, field: str, words: Words) -> tuple[str, str]:
    """`obj.<field>` as modeltranslation's descriptor reads it in the words' language (the
    first of its fallbacks with a text), and ` lang="nl"` when that text is not in the
    language itself (as trainings.localised.lang_attribute says), else ""."""
    value, code = shown_translation(obj, field, words.language, words.fallbacks)
    return value, "" if code == words.language else f' lang="{code}"'


def render_card(course: Course, words: Words | None = None) -> Card:
    """The card of a course with its labels (attach_labels) and prices, in the active
    language. Built in Python rather than by the template engine: a catalogue page shows up
    to 20 cards, and a template took about 0.5 ms a card (at 10 000 courses most cards of a
    filtered page are drawn for the first time)."""
    words = words or card_words()
    url = course.get_absolute_url()
    # As {% fallback_lang %}: lang="nl" on text shown in Dutch.
    title, title_lang = shown_text(course, "title", words)
    summary, summary_lang = shown_text(course, "summary", words)
    tags = []
    if course.theme:
        theme = shown_text(course.theme, "name", words)[0]
        tags.append(f'<span class="tag">{escape(theme)}</span>')
    if course.level:
        level = words.levels.get(course.level) or escape(course.level)
        tags.append(f'<span class="tag tag--quiet">{level}</span>')
    labels = course.labels
    tags += (f'<span class="tag tag--quiet">{escape(f.name)}</span>' for f in labels.formats)
    if course.is_in_development:
        tags.append(f'<span class="tag tag--notice">{words.in_development}</span>')
    elif course.is_expected:
        if course.available_from:
            month = _month(course.available_from, words.language)
            expected = words.expected_from % {"month": month}
        else:
            expected = words.expected
        tags.append(f'<span class="tag tag--notice">{expected}</span>')
    facts = []
    if labels.providers:
        names = ", ".join(escape(p.name) for p in labels.providers)
        facts.append(_fact(words.provider, names))
    if course.duration:
        facts.append(_fact(words.duration, _duration(course.duration, words.language)))
    prices = course.prices.all()
    if prices:
        summaries = (_price(p.kind, p.amount, words.language) for p in prices)
        facts.append(_fact(words.price, " · ".join(summaries)))
    elif course.price_category:
        category = words.price_categories.get(course.price_category)
        if category is None:
            category = escape(course.price_category.lower())
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
            when = _time_element(starts, starts.tzinfo, words.language)
        else:
            when = words.not_planned
        facts.append(_fact(words.next_session, when))
    html = mark_safe(
        '<article class="card">\n'
        f'  <h3 class="card__title"{title_lang}><a href="{escape(url)}">'
        f"{escape(title)}</a></h3>\n"
        f'  <p class="card__tags">{"".join(tags)}</p>\n'
        f'  <p class="card__summary"{summary_lang}>{escape(summary)}</p>\n'
        f'  <dl class="facts facts--inline">{"".join(facts)}</dl>\n'
        "</article>\n"
    )
    return Card(html, bool(title_lang or summary_lang), title, url)


def _fact(term: str, description: str) -> str:
    return f"<div><dt>{term}</dt><dd>{description}</dd></div>"


# Many cards share a duration, a price, a month or a next session's start: each is put into
# words once per language (the language is part of every key; so is the time zone of a start,
# as equal moments in two zones read differently).


@lru_cache(maxsize=1024)
def _duration(text: str, language: str) -> str:
    with translation.override(language):
        return duration_html(text)


@lru_cache(maxsize=1024)
def _price(kind: str, amount, language: str) -> str:
    with translation.override(language):
        return price_summary(CardPrice(kind, amount))


@lru_cache(maxsize=256)
def _month(day, language: str) -> str:
    with translation.override(language):
        return escape(formats.date_format(day, "F Y"))


@lru_cache(maxsize=4096)
def _time_element(starts, zone, language: str) -> str:
    with translation.override(language):
        return (
            f'<time datetime="{formats.date_format(starts, "c")}">'
            f"{escape(formats.date_format(starts, 'j F Y'))}</time>"
        )


def price_summary(price: Price | CardPrice, words: Words | None = None) -> str:
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


# The same as rows of CARD_COLUMNS and the theme's names, for CardCourse.
CARD_ROWS = Precompiled(
    lambda ids: plain(
        Course.objects.filter(pk__in=ids)
        .order_by()
        .values_list(*CARD_COLUMNS, *(f"theme__{column}" for column in THEME_COLUMNS))
    )
)


class CardPrices(tuple):
    """A course's prices as a card reads them: `.all()`, as of a prefetched relation."""

    def all(self):
        return self


class CardCourse:
    """A course as its card reads it, from one row of the card's columns rather than a model
    instance: building a Course (some 70 fields, most of them deferred, and its theme) took
    about 50 µs a row. What the card asks of it besides its columns is the model's own code."""

    __slots__ = (*CARD_COLUMNS, "theme", "labels", "prices", "next_session_at")

    is_in_development = Course.is_in_development
    is_expected = Course.is_expected
    runs_elsewhere = Course.runs_elsewhere
    get_absolute_url = Course.get_absolute_url

    def __init__(self, row: tuple):
        count = len(CARD_COLUMNS)
        for name, value in zip(CARD_COLUMNS, row[:count], strict=True):
            setattr(self, name, value)
        theme = row[count:]
        # A theme's Dutch name is required: none means the course has no theme.
        self.theme = None if theme[0] is None else CardTheme(theme)


class CardTheme:
    """A course's theme as its card reads it: its name in every language."""

    __slots__ = THEME_COLUMNS

    def __init__(self, names: tuple):
        for name, value in zip(self.__slots__, names, strict=True):
            setattr(self, name, value)


def load_courses(ids: list[int], index=None) -> list:
    """The courses with what their card shows, in the order of ids: three queries; one when
    the catalogue index gives the prices and the providers, formats and audiences (then as
    CardCourse rows)."""
    if not ids:
        return []
    if index is not None and all(pk in index.position for pk in ids):
        by_id = {row[0]: CardCourse(row) for row in CARD_ROWS.all(ids=tuple(ids))}
        found = [by_id[pk] for pk in ids if pk in by_id]
        for course in found:
            at = index.position[course.pk]
            course.labels = index.labels_of(course.pk)
            course.prices = CardPrices(index.card_prices[at])
        return found
    # Courses the index does not list (it holds published courses only), or no index.
    by_id = {course.pk: course for course in CARD_COURSES.all(ids=tuple(ids))}
    found = [by_id[pk] for pk in ids if pk in by_id]
    prefetch_related_objects(found, PRICES)
    return attach_labels(found)


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
