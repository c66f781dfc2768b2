"""The catalogue's facet index: filters, counts, order and pages without SQL per request.

Each server process keeps one index of the published courses, built from the database for
one **catalogue version** (catalogue.http.cache.CATALOGUE: every change to what is offered
bumps it, in every process, through the database or Redis) and valid until the next moment
time alone changes the catalogue (an open session's registration closes, a new day). A
course is a bit position (its place in the Dutch title order); every filter option is a
bitset over those positions, a Python int. A filter is then AND and OR of ints, a facet
count a popcount (``int.bit_count``), the number of results a popcount, a page the first set
bits in the chosen order. For 10 000 courses and a few hundred options the whole index is
a few megabytes and counting every option takes well under a millisecond.

Facet counts are disjunctive, as in CourseFilter.facets(): the count next to an option is
what would match if that option were added to everything else selected. The session filters
(open, month, city) hold for one and the same open session, so the index keeps a bitset per
(month, city) pair of the open sessions.

When the version moves, the request that notices starts a rebuild in a background thread
and is answered by the SQL path (CourseFilter.facets(), always correct, slower); the next
requests use the new index once it is there. The index is never used for a version it was
not built for. With CATALOGUE_INDEX_BACKGROUND off (tests) the request builds it itself.

Search matches come from the database (ids and rank only); the index narrows them down
with the filters and orders them.
"""

from __future__ import annotations

import contextlib
import datetime
import logging
import re
import threading
from array import array
from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import connection
from django.db.models import IntegerField, Min
from django.db.models.functions import Cast, Coalesce, ExtractMonth, ExtractYear
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from modeltranslation.utils import build_localized_fieldname, resolution_order

from trainings.localised import LocalisedOrder, plain
from trainings.models import (
    Audience,
    Course,
    Format,
    Level,
    Price,
    Provider,
    Session,
    Theme,
)

if TYPE_CHECKING:
    from catalogue.public.filters import CourseFilter, Facet

logger = logging.getLogger(__name__)

LANGUAGES = [code for code, _name in settings.LANGUAGES]
TAXONOMIES = {"theme": Theme, "format": Format, "audience": Audience, "provider": Provider}
# Rendered cards kept per index (about 1.5 kB each): the pages people look at most.
CARDS_KEPT = 3000
# Searches kept per index: at most 8 bytes a match (a broad search in 10 000 courses: 80 kB).
SEARCHES_KEPT = 64
# Rendered filter sidebars kept per index (10 to 40 kB each): the most asked selections.
SIDEBARS_KEPT = 32
# Orders whose position lists are precomputed; relevance is worked out per search.
ORDERS = ("title", "date", "newest")
ONLINE = "online"
LABEL_KINDS = {"provider": "providers", "format": "formats", "audience": "audiences"}
ONES = re.compile("1")


@dataclass(frozen=True)
class CardPrice:
    """A price as a course card shows it (templates/catalogue/partials/_price_summary.html)."""

    kind: str
    amount: object  # Decimal, or None


@dataclass(eq=False)  # each option once: compared and hashed as itself
class Option:
    """A taxonomy entry: its bitset, how it sorts and its name in every language."""

    slug: str
    sort: int
    names: dict[str, str]  # language -> name ("" when not translated)
    default_name: str
    bits: int = 0
    facet: str = ""  # "theme", "format", …
    labels: dict[str, str] = field(default_factory=dict)  # worked out once per language

    def label(self, language: str) -> str:
        label = self.labels.get(language)
        if label is None:
            label = next(
                (self.names[code] for code in resolution_order(language) if self.names.get(code)),
                self.default_name,
            )
            self.labels[language] = label
        return label


@dataclass
class CatalogueIndex:
    version: tuple
    valid_until: datetime.datetime
    ids: array  # position -> course id
    position: dict[int, int]
    everything: int
    taxonomies: dict[str, dict[str, Option]]  # facet -> slug -> option
    levels: dict[str, int]
    prices: dict[str, int]  # "free" / "paid"
    open: int
    months: dict[str, int]  # "2027-03" -> courses with an open session that month
    cities: dict[str, int]  # city as written ("online" for online sessions) -> courses
    pairs: dict[tuple[str, str], int]  # (month, city) -> courses with such an open session
    next_session: dict[int, datetime.datetime]  # course id -> start of its first open session
    # position -> the course's prices as its card shows them, in the course's order
    card_prices: list[tuple[CardPrice, ...]]
    # position -> the course's providers, formats and audiences
    label_options: list[tuple[Option, ...]]
    orders: dict[tuple[str, str], array]  # (order, language) -> positions in that order
    ranks: dict[tuple[str, str], array]  # (order, language) -> position -> place in order
    # Rendered course cards of this version: (language, course id) -> cards.Card.
    cards: dict[tuple[str, int], object] = field(default_factory=dict)
    # Searches of this version: (language, words, ranked) -> (matches, their ranks).
    searches: dict[tuple, tuple[int, array]] = field(default_factory=dict)
    # The rendered filters of a selection: (language, search words, chosen values) -> sidebar.
    sidebars: dict[tuple, object] = field(default_factory=dict)
    # Learning paths, profiles and resources a search also matches: language -> candidates
    # (trainings.search.other_candidates; a handful of rows, bumped as the courses are).
    others: dict[str, list] = field(default_factory=dict)
    # (facet, language) -> its options as (slug, label, option), in display order.
    option_order: dict[tuple[str, str], list] = field(default_factory=dict)

    def is_current(self, version: tuple, now: datetime.datetime) -> bool:
        return self.version == version and now < self.valid_until

    # -- matching --------------------------------------------------------------------------

    def mask_of(self, bits_by_key: dict[str, int], keys) -> int:
        mask = 0
        for key in keys:
            mask |= bits_by_key.get(key, 0)
        return mask

    def taxonomy_mask(self, facet: str, slugs: list[str]) -> int | None:
        """The courses with any of the slugs; None (no filter) when not one of them exists,
        as CourseFilter ignores an unknown value (an old bookmark)."""
        options = self.taxonomies[facet]
        known = [options[slug] for slug in slugs if slug in options]
        if not known:
            return None
        mask = 0
        for option in known:
            mask |= option.bits
        return mask

    def city_keys(self, values: list[str]) -> list[str]:
        """The cities as written in the data that the chosen values name (case ignored)."""
        wanted = {value.casefold() for value in values}
        return [city for city in self.cities if city.casefold() in wanted]

    def pairs_of(self, months: list[str], cities: list[str]) -> int:
        """Courses with an open session in one of the months and one of the cities (as
        written in the data)."""
        mask = 0
        for month in months:
            for city in cities:
                mask |= self.pairs.get((month, city), 0)
        return mask

    def session_mask(self, months: list[str], cities: list[str], want_open: bool) -> int | None:
        """Courses with one open session that is in one of the months and in one of the
        cities; None when no session filter applies."""
        if months and cities:
            return self.pairs_of(months, self.city_keys(cities))
        if months:
            return self.mask_of(self.months, months)
        if cities:
            return self.mask_of(self.cities, self.city_keys(cities))
        if want_open:
            return self.open
        return None

    def selection(self, filterset: CourseFilter, hits: int | None, exclude: str | None = None):
        """The courses matching every selected filter but `exclude` (and the search)."""
        mask = self.everything if hits is None else hits
        for facet in TAXONOMIES:
            if facet != exclude:
                chosen = self.taxonomy_mask(facet, filterset.selected(facet))
                if chosen is not None:
                    mask &= chosen
        if exclude != "level" and filterset.selected("level"):
            mask &= self.mask_of(self.levels, filterset.selected("level"))
        if exclude != "price" and filterset.selected("price"):
            mask &= self.mask_of(self.prices, filterset.selected("price"))
        sessions = self.session_mask(
            [] if exclude == "month" else filterset.selected("month"),
            [] if exclude == "city" else filterset.selected("city"),
            exclude != "open" and bool(filterset.selected("open")),
        )
        if sessions is not None:
            mask &= sessions
        return mask

    # -- facets ----------------------------------------------------------------------------

    def facets(self, filterset: CourseFilter, hits: int | None) -> list[Facet]:
        """The same facets, options and counts as CourseFilter.facets(), from bitsets."""
        from catalogue.public.filters import (
            FACET_NAMES,
            FREE,
            PAID,
            Facet,
            FacetOption,
            month_label,
        )

        language = translation.get_language() or settings.LANGUAGE_CODE
        # The chosen values, read from the form once rather than a hundred times.
        filterset = Chosen({name: filterset.selected(name) for name in FACET_NAMES})

        def options_of(name: str, entries) -> list[FacetOption]:
            """entries: (value, label, count) in display order; the options shown: those
            with a count, and the chosen ones."""
            chosen = {value.casefold() for value in filterset.selected(name)}
            if not chosen:
                return [FacetOption(value, label, n, False) for value, label, n in entries if n]
            return [
                FacetOption(value, label, n, value.casefold() in chosen)
                for value, label, n in entries
                if n or value.casefold() in chosen
            ]

        labels = facet_labels(language)
        without = {}
        for name in (*TAXONOMIES, "level", "price", "open", "month", "city"):
            without[name] = self.selection(filterset, hits, exclude=name)
        taxonomy_facets = {}
        for name in TAXONOMIES:
            base = without[name]
            entries = [
                (slug, label, (base & option.bits).bit_count())
                for slug, label, option in self.options_in_order(name, language)
            ]
            taxonomy_facets[name] = Facet(name, labels[name], options_of(name, entries))
        level = Facet(
            "level",
            labels["level"],
            options_of(
                "level",
                [
                    (key, label, (without["level"] & self.levels.get(key, 0)).bit_count())
                    for key, label in labels["levels"]
                ],
            ),
        )
        price = Facet(
            "price",
            labels["price"],
            options_of(
                "price",
                [
                    (
                        FREE,
                        labels["free"],
                        (without["price"] & self.prices.get(FREE, 0)).bit_count(),
                    ),
                    (
                        PAID,
                        labels["paid"],
                        (without["price"] & self.prices.get(PAID, 0)).bit_count(),
                    ),
                ],
            ),
        )
        open_facet = Facet(
            "open",
            labels["open"],
            options_of(
                "open", [("1", labels["with_open"], (without["open"] & self.open).bit_count())]
            ),
        )
        # Month and city: counted over the open sessions that also meet the other session
        # filter (the same session), of the courses matching everything else.
        cities_chosen = self.city_keys(filterset.selected("city"))
        month_entries = []
        for month in sorted(self.months):
            if filterset.selected("city"):
                bits = self.pairs_of([month], cities_chosen)
            else:
                bits = self.months[month]
            count = (without["month"] & bits).bit_count()
            if count:
                month_entries.append((month, month_label(month), count))
        months_chosen = filterset.selected("month")
        city_entries = []
        for city in self.cities:
            bits = self.pairs_of(months_chosen, [city]) if months_chosen else self.cities[city]
            count = (without["city"] & bits).bit_count()
            if count:
                label = labels["online"] if city == ONLINE else city
                city_entries.append(((city == ONLINE, label.lower()), city, label, count))
        city_entries.sort(key=lambda item: item[0])
        month = Facet("month", labels["month"], options_of("month", month_entries))
        city = Facet(
            "city", labels["city"], options_of("city", [entry[1:] for entry in city_entries])
        )
        facets = [
            taxonomy_facets["theme"],
            taxonomy_facets["format"],
            taxonomy_facets["audience"],
            level,
            taxonomy_facets["provider"],
            price,
            open_facet,
            month,
            city,
        ]
        return [facet for facet in facets if facet.options]

    def options_in_order(self, facet: str, language: str) -> list:
        """A taxonomy's options as the filters list them, (slug, label, option), sorted
        once per language."""
        key = (facet, language)
        ordered = self.option_order.get(key)
        if ordered is None:
            entries = [
                (option.slug, option.label(language), option)
                for option in self.taxonomies[facet].values()
            ]
            entries.sort(key=lambda item: (item[2].sort, item[1].lower()))
            ordered = self.option_order[key] = entries
        return ordered

    # -- pages -----------------------------------------------------------------------------

    def sidebar(self, key: tuple, compute):
        """The rendered filters of a selection (catalogue.public.views.Sidebar) from `compute`,
        kept for this version: the counts of a selection only change with the version."""
        kept = self.sidebars.get(key)
        if kept is None:
            kept = compute()
            if len(self.sidebars) >= SIDEBARS_KEPT:
                forget_oldest(self.sidebars)
            self.sidebars[key] = kept
        return kept

    def other_candidates(self, compute) -> list:
        """What a search also looks in (learning paths, profiles, resources) in the active
        language, from `compute`, kept for this version."""
        language = translation.get_language() or settings.LANGUAGE_CODE
        kept = self.others.get(language)
        if kept is None:
            kept = self.others[language] = compute()
        return kept

    def search(self, key: tuple, compute) -> dict[int, float] | None:
        """The matches of a search (course id -> rank) from `compute` (the database), kept
        compactly for this version: the next visitor searching the same words in the same
        language gets them without a query."""
        kept = self.searches.get(key)
        if kept is None:
            ranked = compute()
            if ranked is None:
                return None
            mask = self.hits_mask(ranked)
            ids = self.ids
            ranks = array("d", (ranked[ids[at]] for at in positions(mask)))
            if len(self.searches) >= SEARCHES_KEPT:
                forget_oldest(self.searches)
            self.searches[key] = (mask, ranks)
            return ranked
        mask, ranks = kept
        ids = self.ids
        return dict(zip((ids[at] for at in positions(mask)), ranks, strict=True))

    def labels_of(self, course_id: int):
        """A published course's providers, formats and audiences as attach_labels() gives
        them (same order, same names), or None for a course not in the index."""
        from trainings.querysets import CourseLabels, Label

        at = self.position.get(course_id)
        if at is None:
            return None
        language = translation.get_language() or settings.LANGUAGE_CODE
        found = []
        for option in self.label_options[at]:
            name = option.label(language)
            found.append((option.facet, option.sort, name.lower(), name, option.slug))
        found.sort()  # per kind as attach_labels() orders them: position, then name
        labels = CourseLabels()
        for facet, _sort, _key, name, slug in found:
            getattr(labels, LABEL_KINDS[facet]).append(Label(name, slug))
        return labels

    def hits_mask(self, ranked: dict[int, float]) -> int:
        mask = 0
        position = self.position
        for course_id in ranked:
            at = position.get(course_id)
            if at is not None:
                mask |= 1 << at
        return mask

    def page(
        self,
        mask: int,
        ordering: str,
        offset: int,
        limit: int,
        ranked: dict[int, float] | None = None,
    ) -> list[int]:
        """The course ids from `offset` to `offset + limit` of the matches, in order."""
        language = translation.get_language() or settings.LANGUAGE_CODE
        if language not in LANGUAGES:
            language = settings.LANGUAGE_CODE
        need = offset + limit
        count = mask.bit_count()
        if not count or offset >= count:
            return []
        title_rank = self.ranks[("title", language)]
        if ordering == "relevance" and ranked is not None:
            found = positions(mask)
            ids = self.ids
            found.sort(key=lambda at: (-(ranked.get(ids[at]) or 0.0), title_rank[at], ids[at]))
            chosen = found[offset:need]
        else:
            key = (ordering if ordering in ORDERS else "title", language)
            order = self.orders[key]
            if count * 4 >= len(order) or need * len(order) < count * count:
                # Many matches: walk the order and keep those in the mask.
                bits = mask.to_bytes((len(order) + 7) // 8, "little")
                chosen = []
                seen = 0
                for at in order:
                    if bits[at >> 3] >> (at & 7) & 1:
                        if seen >= offset:
                            chosen.append(at)
                            if len(chosen) == limit:
                                break
                        seen += 1
            else:
                rank = self.ranks[key]
                found = positions(mask)
                found.sort(key=rank.__getitem__)
                chosen = found[offset:need]
        return [self.ids[at] for at in chosen]


@dataclass(frozen=True)
class Chosen:
    """A request's chosen filter values, as CourseFilter.selected() gives them."""

    values: dict[str, list[str]]

    def selected(self, name: str) -> list[str]:
        return self.values[name]


_facet_labels: dict[str, dict] = {}


def facet_labels(language: str) -> dict:
    """The facets' names and fixed option labels in a language, translated once."""
    found = _facet_labels.get(language)
    if found is None:
        found = _facet_labels[language] = {
            "theme": _("Thema"),
            "format": _("Werkvorm"),
            "audience": _("Doelgroep"),
            "provider": _("Aanbieder"),
            "level": _("Niveau"),
            "levels": [(key, str(label)) for key, label in Level.choices],
            "price": _("Prijs"),
            "free": _("Gratis (ook onder voorwaarde)"),
            "paid": _("Betaald"),
            "open": _("Sessies"),
            "with_open": _("Met een open sessie"),
            "month": _("Maand"),
            "city": _("Plaats"),
            "online": _("Online"),
        }
    return found


def by_position(found: dict[int, list], count: int) -> list[tuple]:
    """A list with a tuple per position, from lists by position; equal tuples kept once (many
    courses have the same prices; a course without any gets the one empty tuple)."""
    shared: dict[tuple, tuple] = {}
    every = (tuple(found.get(at, ())) for at in range(count))
    return [shared.setdefault(items, items) for items in every]


def forget_oldest(kept: dict) -> None:
    """Drop the entry kept longest (dicts keep their order). Another thread of a threaded
    server may be doing the same: whoever comes second has nothing left to do."""
    with contextlib.suppress(KeyError, RuntimeError, StopIteration):
        del kept[next(iter(kept))]


def positions(mask: int) -> list[int]:
    """The set bits of an int, lowest first."""
    text = bin(mask)[:1:-1]
    return [match.start() for match in ONES.finditer(text)]


# -- building -------------------------------------------------------------------------------


def _next_midnight(now: datetime.datetime) -> datetime.datetime:
    local = timezone.localtime(now)
    tomorrow = local.date() + datetime.timedelta(days=1)
    return timezone.make_aware(datetime.datetime.combine(tomorrow, datetime.time()))


def build_index(version: tuple | None = None, now: datetime.datetime | None = None):
    """Read the published catalogue and build its index (a dozen queries)."""
    now = now or timezone.now()
    if version is None:
        version = catalogue_version()
    published = plain(Course.objects.published())
    courses = list(
        published.order_by(LocalisedOrder("title"), "pk").values_list("pk", "level", "theme_id")
    )
    ids = array("q", (row[0] for row in courses))
    position = {course_id: at for at, course_id in enumerate(ids)}
    everything = (1 << len(ids)) - 1

    taxonomies: dict[str, dict[str, Option]] = {}
    option_by_pk: dict[str, dict[int, Option]] = {}
    for facet, model in TAXONOMIES.items():
        translated = facet != "provider"
        columns = ["pk", "slug", "name"]
        if translated:
            columns += [build_localized_fieldname("name", code) for code in LANGUAGES]
        if facet in ("theme", "format"):
            columns.append("position")
        entries = {}
        by_pk = {}
        for row in model.objects.order_by().values(*columns):
            names = (
                {code: row[build_localized_fieldname("name", code)] or "" for code in LANGUAGES}
                if translated
                else {}
            )
            option = Option(row["slug"], row.get("position", 0), names, row["name"], facet=facet)
            entries[row["slug"]] = option
            by_pk[row["pk"]] = option
        taxonomies[facet] = entries
        option_by_pk[facet] = by_pk

    levels: dict[str, int] = defaultdict(int)
    for at, (_pk, level, theme_id) in enumerate(courses):
        bit = 1 << at
        if level:
            levels[level] |= bit
        if theme_id is not None and theme_id in option_by_pk["theme"]:
            option_by_pk["theme"][theme_id].bits |= bit
    labelled: dict[int, list[Option]] = defaultdict(list)
    for facet, relation in (
        ("format", Course.formats),
        ("audience", Course.audiences),
        ("provider", Course.providers),
    ):
        through = relation.through
        target = f"{facet}_id"
        by_pk = option_by_pk[facet]
        for course_id, target_id in plain(through.objects.order_by()).values_list(
            "course_id", target
        ):
            at = position.get(course_id)
            if at is not None:
                by_pk[target_id].bits |= 1 << at
                labelled[at].append(by_pk[target_id])

    prices: dict[str, int] = defaultdict(int)
    card_prices: dict[int, list] = defaultdict(list)
    shared: dict = {}  # few distinct (kind, amount) pairs: each kept once
    for course_id, kind, amount in plain(Price.objects.order_by("position", "pk")).values_list(
        "course_id", "kind", "amount"
    ):
        at = position.get(course_id)
        if at is None:
            continue
        price = shared.get((kind, amount))
        if price is None:
            price = shared[kind, amount] = CardPrice(kind, amount)
        card_prices[at].append(price)
        if amount == 0 or kind == Price.Kind.FREE_UNDER_CONDITION:
            prices["free"] |= 1 << at
        if amount is not None and amount > 0:
            prices["paid"] |= 1 << at

    open_bits = 0
    months: dict[str, int] = defaultdict(int)
    cities: dict[str, int] = {}
    pairs: dict[tuple[str, str], int] = defaultdict(int)
    valid_until = _next_midnight(now)
    open_sessions = plain(Session.objects.open_for_registration(now).order_by())
    # The month as a number in the site's time zone (202703): no datetimes to convert.
    month_number = Cast(
        ExtractYear("starts_at") * 100 + ExtractMonth("starts_at"), output_field=IntegerField()
    )
    sessions = open_sessions.values_list(
        "course_id", month_number, "location__is_online", "location__city"
    )
    for course_id, number, is_online, city in sessions:
        at = position.get(course_id)
        if at is None:
            continue
        bit = 1 << at
        open_bits |= bit
        month = f"{number // 100:04d}-{number % 100:02d}"
        months[month] |= bit
        if is_online:
            city = ONLINE
        if city is not None:
            cities[city] = cities.get(city, 0) | bit
            pairs[(month, city)] |= bit
    # Each course's first open session, and the next moment one of them stops being open
    # (its registration closes): the index ends then.
    next_session = dict(
        open_sessions.values("course_id")
        .annotate(first=Min("starts_at"))
        .values_list("course_id", "first")
    )
    closing = open_sessions.aggregate(first=Min(Coalesce("registration_deadline", "starts_at")))[
        "first"
    ]
    if closing is not None and closing < valid_until:
        valid_until = closing

    orders: dict[tuple[str, str], array] = {}
    ranks: dict[tuple[str, str], array] = {}

    def keep(order: str, language: str, sequence) -> None:
        positions_in_order = array("l", sequence)
        rank = array("l", bytes(len(ids) * positions_in_order.itemsize))
        for place, at in enumerate(positions_in_order):
            rank[at] = place
        orders[(order, language)] = positions_in_order
        ranks[(order, language)] = rank

    far = datetime.datetime.max.replace(tzinfo=datetime.UTC)
    for language in LANGUAGES:
        if language == settings.LANGUAGE_CODE:
            title_order = range(len(ids))
        else:
            with translation.override(language):
                ordered = published.order_by(LocalisedOrder("title"), "pk")
                title_order = [position[pk] for pk in ordered.values_list("pk", flat=True)]
        keep("title", language, title_order)
        title_rank = ranks[("title", language)]
        keep(
            "date",
            language,
            sorted(
                range(len(ids)),
                key=lambda at: (next_session.get(ids[at], far), title_rank[at]),
            ),
        )
    newest = [
        position[pk] for pk in published.order_by("-created_at", "pk").values_list("pk", flat=True)
    ]
    for language in LANGUAGES:
        keep("newest", language, newest)

    return CatalogueIndex(
        version=version,
        valid_until=valid_until,
        ids=ids,
        position=position,
        everything=everything,
        taxonomies=taxonomies,
        levels=dict(levels),
        prices=dict(prices),
        open=open_bits,
        months=dict(months),
        cities=cities,
        pairs=dict(pairs),
        next_session=next_session,
        card_prices=by_position(card_prices, len(ids)),
        label_options=by_position(labelled, len(ids)),
        orders=orders,
        ranks=ranks,
    )


# -- the process's index --------------------------------------------------------------------


def catalogue_version(shared: int | None = None) -> tuple:
    """The catalogue's version as every process sees it (and this process's own counter,
    which a change in this process moves at once, before its transaction commits). `shared`:
    the database's counter when the request has just read it (no query then)."""
    from catalogue.http.cache import CATALOGUE, current_versions, local_versions

    if shared is None:
        return tuple(current_versions([CATALOGUE]))
    return version_from(local_versions([CATALOGUE])[0], shared)


def version_from(local, shared) -> tuple:
    """catalogue_version() from a version already read: this process's (or Redis's) counter
    and the database's (None with Redis)."""
    from catalogue.http import counters

    return (local, shared or 0) if counters.in_database() else (local,)


class _Holder:
    def __init__(self):
        self.index: CatalogueIndex | None = None
        self.lock = threading.Lock()
        self.building: tuple | None = None


_holder = _Holder()


def reset() -> None:
    """Forget this process's index (tests)."""
    with _holder.lock:
        _holder.index = None
        _holder.building = None


def _build_in_background(version: tuple) -> None:
    """Build the index of this version in a thread, unless one is being built already."""
    with _holder.lock:
        if _holder.building == version:
            return
        _holder.building = version

    def run():
        try:
            index = build_index(version)
            with _holder.lock:
                if _holder.building == version:
                    _holder.index = index
                    _holder.building = None
        except Exception:  # a failed build leaves the SQL path answering; say why
            logger.exception("building the catalogue index failed")
            with _holder.lock:
                _holder.building = None
        finally:
            connection.close()

    threading.Thread(target=run, name="catalogue-index", daemon=True).start()


def _held(version: tuple, now: datetime.datetime) -> CatalogueIndex | None:
    index = _holder.index
    return index if index is not None and index.is_current(version, now) else None


def peek(version: tuple, now: datetime.datetime | None = None) -> CatalogueIndex | None:
    """The index of this version if the process has it, without a query (the caller read the
    version already); else None, and a build in the background is started."""
    if not settings.CATALOGUE_INDEX:
        return None
    index = _held(version, now or timezone.now())
    if index is None and settings.CATALOGUE_INDEX_BACKGROUND:
        _build_in_background(version)
    return index


def current(
    now: datetime.datetime | None = None, shared: int | None = None
) -> CatalogueIndex | None:
    """This process's index for the catalogue as it is now, or None while it is (re)built
    (the caller then asks the database). `shared`: as for catalogue_version()."""
    if not settings.CATALOGUE_INDEX:
        return None
    now = now or timezone.now()
    version = catalogue_version(shared)
    if settings.CATALOGUE_INDEX_BACKGROUND:
        return peek(version, now)
    index = _held(version, now)
    if index is None:
        index = _holder.index = build_index(version, now)
    return index


def warm_up() -> None:
    """Start building the index in the background (a server worker that has just started)."""
    if not settings.CATALOGUE_INDEX:
        return
    try:
        version = catalogue_version()
    except Exception:  # the database is not there yet: the first request will try again
        logger.warning("catalogue index not warmed up: database unavailable", exc_info=True)
        return
    finally:
        connection.close()
    _build_in_background(version)
