"""The catalogue's filters and their facet counts.

Query parameters: q, format, audience, provider, theme, level, price (free/paid), open (1),
month (YYYY-MM), city (a city name or "online"), order (title/date/newest).
Unknown or malformed values never raise: they are dropped, and a theme, format, audience or
provider that does not exist is ignored (an old bookmark keeps working). A month or city
without an open session matches nothing: that is an answer, not a mistake.

Facet counts are disjunctive: the count next to an option is the number of courses that
would match if that option were added to everything else that is selected, so choosing a
second format widens the result instead of emptying it.
"""

from __future__ import annotations

import copy
import datetime
import re
from dataclasses import dataclass, field
from functools import cached_property, lru_cache

import django_filters
from django import forms
from django.db.models import Count, DateTimeField, Exists, F, OuterRef, Q, QuerySet, Value
from django.db.models.functions import TruncMonth
from django.utils import formats, timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from trainings.localised import LocalisedOrder, localised_field, plain
from trainings.models import Audience, Course, Format, Level, Price, Provider, Session, Theme

SLUG_RE = re.compile(r"^[-a-z0-9_]{1,100}$")
MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$")
MAX_VALUES = 20
MAX_QUERY_LENGTH = 200


class ListField(forms.Field):
    """A repeated query parameter, cleaned leniently: invalid items are dropped, never raised."""

    widget = forms.SelectMultiple

    def __init__(self, *, normalise=None, **kwargs):
        self.normalise = normalise or (lambda value: value)
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def to_python(self, value) -> list[str]:
        if not value:
            return []
        if isinstance(value, str):
            value = [value]
        cleaned: list[str] = []
        for item in value:
            item = self.normalise(str(item))
            if item is not None and item not in cleaned:
                cleaned.append(item)
        return cleaned[:MAX_VALUES]


class QueryField(forms.CharField):
    """Free text, trimmed to a sane length rather than rejected."""

    def to_python(self, value) -> str:
        value = super().to_python(value) or ""
        return value.replace("\x00", "")[:MAX_QUERY_LENGTH].strip()


def _slug(value: str) -> str | None:
    value = value.strip().lower()
    return value if SLUG_RE.match(value) else None


def _choice(allowed: set[str]):
    def normalise(value: str) -> str | None:
        value = value.strip().lower()
        return value if value in allowed else None

    return normalise


def _month(value: str) -> str | None:
    match = MONTH_RE.match(value.strip())
    if not match or not 1 <= int(match.group(2)) <= 12 or int(match.group(1)) < 2000:
        return None
    return match.group(0)


def _city(value: str) -> str | None:
    value = " ".join(value.split())
    if not value or len(value) > 100 or "\x00" in value:
        return None
    return value


class ListFilter(django_filters.Filter):
    field_class = ListField


class SearchFilter(django_filters.Filter):
    field_class = QueryField


FREE = "free"
PAID = "paid"
# The title in the visitor's language, Dutch where it has none (sorted where it is read).
TITLE = LocalisedOrder("title")
ORDERINGS = {
    "relevance": (_("Best passend"), [F("rank").desc(nulls_last=True), TITLE, "pk"]),
    "title": (_("Titel (A–Z)"), [TITLE, "pk"]),
    "date": (_("Eerstvolgende sessie"), [F("next_session_at").asc(nulls_last=True), TITLE]),
    "newest": (_("Nieuwste eerst"), ["-created_at", "pk"]),
}
DEFAULT_ORDERING = "title"

# Every filter with options in the sidebar, in the order of the chips of the chosen ones.
FACET_NAMES = ("theme", "format", "audience", "level", "provider", "price", "open", "month", "city")
# Filters about sessions: they must all hold for the same open session of a course.
SESSION_FILTERS = ("open", "month", "city")
# The month column of the city rows in the session facet query (one union, one key type).
NO_MONTH = Value(None, output_field=DateTimeField())


def free_price_exists() -> Exists:
    return Exists(
        Price.objects.filter(course=OuterRef("pk")).filter(
            Q(amount=0) | Q(kind=Price.Kind.FREE_UNDER_CONDITION)
        )
    )


def paid_price_exists() -> Exists:
    return Exists(Price.objects.filter(course=OuterRef("pk"), amount__gt=0))


def m2m_match(relation, column: str, slugs: list[str]) -> Q:
    """Courses linked to any of the slugs, as a subquery so rows are never duplicated."""
    through = relation.through
    return Q(pk__in=through.objects.filter(**{f"{column}__slug__in": slugs}).values("course_id"))


def unless_unknown(model, slugs: list[str], condition: Q) -> Q:
    """The condition, or none when not one of the slugs exists (an old bookmark, a renamed
    theme): unknown values are ignored rather than emptying the list. Within the same query,
    so it costs no extra round trip."""
    if not slugs:
        return Q()
    return condition | ~Q(Exists(model.objects.filter(slug__in=slugs)))


@dataclass
class FacetOption:
    value: str
    label: str
    count: int
    selected: bool


@dataclass
class Facet:
    """A filter with its options. Long lists show their most-used options first and keep
    the rest behind a "show all" toggle."""

    name: str
    label: str
    options: list[FacetOption] = field(default_factory=list)

    COLLAPSE_ABOVE = 8
    SHOW_FIRST = 6

    @property
    def is_long(self) -> bool:
        return len(self.options) > self.COLLAPSE_ABOVE

    @cached_property
    def head(self) -> list[FacetOption]:
        if not self.is_long:
            return self.options
        return sorted(self.options, key=lambda o: (-o.count, o.label.lower()))[: self.SHOW_FIRST]

    @cached_property
    def tail(self) -> list[FacetOption]:
        if not self.is_long:
            return []
        shown = {o.value for o in self.head}
        return [o for o in self.options if o.value not in shown]

    @property
    def tail_has_selection(self) -> bool:
        return any(o.selected for o in self.tail)


class CourseFilter(django_filters.FilterSet):
    q = SearchFilter(label=_("Zoeken"), method="filter_search")
    format = ListFilter(label=_("Werkvorm"), method="filter_format", normalise=_slug)
    audience = ListFilter(label=_("Doelgroep"), method="filter_audience", normalise=_slug)
    provider = ListFilter(label=_("Aanbieder"), method="filter_provider", normalise=_slug)
    theme = ListFilter(label=_("Thema"), method="filter_theme", normalise=_slug)
    level = ListFilter(
        label=_("Niveau"),
        field_name="level",
        lookup_expr="in",
        normalise=_choice(set(Level.values)),
    )
    price = ListFilter(label=_("Prijs"), method="filter_price", normalise=_choice({FREE, PAID}))
    open = ListFilter(label=_("Open sessie"), normalise=_choice({"1"}))
    month = ListFilter(label=_("Maand"), normalise=_month)
    city = ListFilter(label=_("Plaats"), normalise=_city)
    order = ListFilter(label=_("Sorteren"), normalise=_choice(set(ORDERINGS)), method="noop")

    class Meta:
        model = Course
        fields: list[str] = []

    def __init__(self, data=None, *args, now: datetime.datetime | None = None, **kwargs):
        self.now = now or timezone.now()
        super().__init__(data, *args, **kwargs)

    def get_form_class(self):
        """The form of the filters, built once: django-filter builds a form class (and a form
        field per filter) for every filterset, every request. The fields hold no state of a
        request; each form copies them."""
        found = type(self).__dict__.get("_form_class")
        if found is None:
            found = super().get_form_class()
            type(self)._form_class = found
        return found

    # -- filtering -------------------------------------------------------------------------

    def filter_search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.search(value) if value else queryset

    def filter_theme(self, queryset, name, value):
        return queryset.filter(unless_unknown(Theme, value, Q(theme__slug__in=value)))

    def filter_format(self, queryset, name, value):
        return queryset.filter(
            unless_unknown(Format, value, m2m_match(Course.formats, "format", value))
        )

    def filter_audience(self, queryset, name, value):
        return queryset.filter(
            unless_unknown(Audience, value, m2m_match(Course.audiences, "audience", value))
        )

    def filter_provider(self, queryset, name, value):
        return queryset.filter(
            unless_unknown(Provider, value, m2m_match(Course.providers, "provider", value))
        )

    def filter_price(self, queryset, name, value):
        condition = Q()
        if FREE in value:
            condition |= Q(free_price_exists())
        if PAID in value:
            condition |= Q(paid_price_exists())
        return queryset.filter(condition) if value else queryset

    def noop(self, queryset, name, value):
        return queryset

    def session_q(self, exclude: str | None = None) -> Q | None:
        """One Q on Session for the selected open/month/city values, or None if none apply."""
        data = self.form.cleaned_data
        q = Q()
        applied = False
        if exclude != "month" and data.get("month"):
            months = Q()
            for value in data["month"]:
                year, month = (int(part) for part in value.split("-"))
                months |= Q(starts_at__year=year, starts_at__month=month)
            q &= months
            applied = True
        if exclude != "city" and data.get("city"):
            cities = Q()
            for value in data["city"]:
                if value.lower() == "online":
                    cities |= Q(location__is_online=True)
                else:
                    cities |= Q(location__city__iexact=value, location__is_online=False)
            q &= cities
            applied = True
        if exclude != "open" and data.get("open"):
            applied = True
        return q if applied else None

    def open_sessions(self) -> QuerySet:
        return Session.objects.open_for_registration(self.now)

    def filter_queryset(self, queryset: QuerySet, exclude: str | None = None) -> QuerySet:
        for name, value in self.form.cleaned_data.items():
            if name in SESSION_FILTERS or name == exclude:
                continue
            queryset = self.filters[name].filter(queryset, value)
        session_q = self.session_q(exclude=exclude)
        if session_q is not None:
            matching = self.open_sessions().filter(session_q).filter(course=OuterRef("pk"))
            queryset = queryset.filter(Exists(matching))
        return queryset

    @property
    def qs(self) -> QuerySet:
        if not hasattr(self, "_qs"):
            self.form.is_valid()  # lenient fields: cleaned_data holds every usable value
            self._qs = self.filter_queryset(self.queryset.all())
        return self._qs

    def qs_without(self, name: str) -> QuerySet:
        self.form.is_valid()
        return self.filter_queryset(self.queryset.all(), exclude=name)

    # -- ordering and state ----------------------------------------------------------------

    @property
    def ordering(self) -> str:
        """The chosen order; with a search, best match first unless another was chosen."""
        self.form.is_valid()
        chosen = (self.form.cleaned_data.get("order") or [None])[0]
        if chosen == "relevance" and not self.search_query:
            chosen = None  # there is no match to rank without a search
        if chosen is None:
            chosen = "relevance" if self.search_query else DEFAULT_ORDERING
        return chosen

    @property
    def orderings(self) -> list[tuple[str, str]]:
        return [
            (key, label)
            for key, (label, _fields) in ORDERINGS.items()
            if key != "relevance" or self.search_query
        ]

    def suggestion(self) -> str | None:
        """A corrected search query ("bedoelde je …"), when the words are not in the catalogue."""
        from trainings.search import suggest

        return suggest(self.search_query) if self.search_query else None

    def selection_key(self) -> tuple:
        """What the facets of this request depend on: the language, the words searched
        for and every chosen value (not the page, not the order)."""
        from trainings.matching import terms

        return (
            get_language(),
            tuple(terms(self.search_query)),
            tuple((name, tuple(self.selected(name))) for name in FACET_NAMES),
        )

    def search_key(self) -> tuple:
        """What the matches of the search depend on: the words, the language they are
        searched in, and whether they are ranked."""
        from trainings.matching import search_language, terms

        return (search_language(), tuple(terms(self.search_query)), self.ordering == "relevance")

    def search_ranks(self) -> dict[int, float] | None:
        """The published courses matching the search, with their rank when they are ordered
        by it (one narrow query); None when the query has no words to look for (nothing is
        filtered then)."""
        from trainings.matching import terms

        if not terms(self.search_query):
            return None
        # When another order was chosen: the matches only, no rank worked out for each.
        ranked = self.ordering == "relevance"
        return Course.objects.published_search_ranks(self.search_query, ranked)

    def ordered(self, queryset: QuerySet) -> QuerySet:
        return queryset.order_by(*ORDERINGS[self.ordering][1])

    @property
    def is_filtered(self) -> bool:
        self.form.is_valid()
        return any(value for name, value in self.form.cleaned_data.items() if name != "order")

    @property
    def search_query(self) -> str:
        self.form.is_valid()
        return self.form.cleaned_data.get("q") or ""

    def selected(self, name: str) -> list[str]:
        self.form.is_valid()
        return self.form.cleaned_data.get(name) or []

    # -- facets ----------------------------------------------------------------------------

    def facets(self) -> list[Facet]:
        """Every facet with its options and counts, from two queries whatever the data size."""
        rows = list(self._course_facet_rows()) + list(self._session_facet_rows())
        counts: dict[tuple[str, str], int] = {}
        labels: dict[tuple[str, str], tuple[int, str]] = {}
        for facet, key, label, sort, n in rows:
            counts[(facet, str(key))] = max(n, counts.get((facet, str(key)), 0))
            labels[(facet, str(key))] = (sort, label)

        def build(name: str, label, keys: list[tuple[str, str]]) -> Facet:
            selected = {value.casefold() for value in self.selected(name)}
            options = [
                FacetOption(
                    key, option_label, counts.get((name, key), 0), key.casefold() in selected
                )
                for key, option_label in keys
            ]
            visible = [o for o in options if o.count or o.selected]
            return Facet(name, label, visible)

        def keys_for(name: str) -> list[tuple[str, str]]:
            found = [
                (key, sort_label) for (facet, key), sort_label in labels.items() if facet == name
            ]
            found.sort(key=lambda item: (item[1][0], item[1][1].lower()))
            return [(key, sort_label[1]) for key, sort_label in found]

        level_labels = dict(Level.choices)
        month_keys = sorted(key for (facet, key) in counts if facet == "month")
        facets = [
            build("theme", _("Thema"), keys_for("theme")),
            build("format", _("Werkvorm"), keys_for("format")),
            build("audience", _("Doelgroep"), keys_for("audience")),
            build("level", _("Niveau"), [(k, level_labels[k]) for k in Level.values]),
            build("provider", _("Aanbieder"), keys_for("provider")),
            build(
                "price",
                _("Prijs"),
                [(FREE, _("Gratis (ook onder voorwaarde)")), (PAID, _("Betaald"))],
            ),
            build("open", _("Sessies"), [("1", _("Met een open sessie"))]),
            build("month", _("Maand"), [(key, month_label(key)) for key in month_keys]),
            build("city", _("Plaats"), keys_for("city")),
        ]
        return [facet for facet in facets if facet.options]

    def _course_facet_rows(self):
        def label_of(facet: str, prefix: str = ""):
            """The option's label: a provider has one name, the taxonomy one per language."""
            if facet == "provider":
                return F(f"{prefix}name")
            return localised_field(prefix=prefix)

        def counted(queryset, facet: str, target: str, sort):
            """Courses per value, counted from the link rows of the courses in question (an
            index lookup when filters or a search narrow them down)."""
            return (
                queryset.order_by()
                .values(
                    facet=Value(facet),
                    key=F(f"{target}__slug"),
                    label=label_of(facet, f"{target}__"),
                    sort=sort,
                )
                .annotate(n=Count("pk"))
            )

        def chosen(model, facet: str, sort):
            """Chosen values count 0 here, so they stay visible (and can be unticked) even
            when the other filters leave no course for them."""
            return (
                plain(model.objects.order_by())
                .filter(slug__in=self.selected(facet))
                .values(
                    facet=Value(facet), key=F("slug"), label=label_of(facet), sort=sort, n=Value(0)
                )
            )

        parts = [
            counted(
                plain(
                    Course.objects.filter(pk__in=self._ids_without("theme"), theme__isnull=False)
                ),
                "theme",
                "theme",
                F("theme__position"),
            ),
        ]
        for relation, facet, sort in (
            (Course.formats, "format", F("format__position")),
            (Course.audiences, "audience", Value(0)),
            (Course.providers, "provider", Value(0)),
        ):
            links = relation.through.objects.filter(course_id__in=self._ids_without(facet))
            parts.append(counted(plain(links), facet, facet, sort))
        for model, facet, sort in (
            (Theme, "theme", F("position")),
            (Format, "format", F("position")),
            (Audience, "audience", Value(0)),
            (Provider, "provider", Value(0)),
        ):
            if self.selected(facet):
                parts.append(chosen(model, facet, sort))
        parts.append(
            plain(Course.objects.order_by())
            .filter(pk__in=self._ids_without("level"))
            .exclude(level="")
            .values(facet=Value("level"), key=F("level"), label=F("level"), sort=Value(0))
            .annotate(n=Count("pk"))
        )
        for key, condition in ((FREE, free_price_exists()), (PAID, paid_price_exists())):
            parts.append(
                plain(Course.objects.order_by())
                .filter(pk__in=self._ids_without("price"))
                .filter(condition)
                .values(facet=Value("price"), key=Value(key), label=Value(key), sort=Value(0))
                .annotate(n=Count("pk"))
            )
        open_session = Exists(self.open_sessions().filter(course=OuterRef("pk")))
        parts.append(
            plain(Course.objects.order_by())
            .filter(pk__in=self._ids_without("open"))
            .filter(open_session)
            .values(facet=Value("open"), key=Value("1"), label=Value("1"), sort=Value(0))
            .annotate(n=Count("pk"))
        )
        return (
            parts[0].union(*parts[1:], all=True).values_list("facet", "key", "label", "sort", "n")
        )

    def _session_facet_rows(self):
        base = self.open_sessions().order_by()
        month_sessions = base.filter(course__in=self._ids_without("month"))
        month_filter = self.session_q(exclude="month")
        if month_filter is not None:
            month_sessions = month_sessions.filter(month_filter)
        # date_trunc on a timestamp is much cheaper than EXTRACT, which yields numerics.
        months = month_sessions.values(
            facet=Value("month"),
            key=TruncMonth("starts_at"),
            label=Value(""),
            sort=Value(0),
        ).annotate(n=Count("course", distinct=True))
        city_sessions = base.filter(course__in=self._ids_without("city"))
        city_filter = self.session_q(exclude="city")
        if city_filter is not None:
            city_sessions = city_sessions.filter(city_filter)
        online = (
            city_sessions.filter(location__is_online=True)
            .values(facet=Value("city"), key=NO_MONTH, label=Value("online"), sort=Value(1))
            .annotate(n=Count("course", distinct=True))
        )
        cities = (
            city_sessions.filter(location__is_online=False)
            .values(facet=Value("city"), key=NO_MONTH, label=F("location__city"), sort=Value(0))
            .annotate(n=Count("course", distinct=True))
        )
        for facet, key, label, sort, n in months.union(online, cities, all=True).values_list(
            "facet", "key", "label", "sort", "n"
        ):
            if not n:
                continue
            if facet == "month":
                yield facet, f"{key:%Y-%m}", "", sort, n
            elif label == "online":
                yield facet, "online", _("Online"), sort, n
            else:
                yield facet, label, label, sort, n

    def _ids_without(self, name: str) -> QuerySet:
        return self.qs_without(name).values("pk")


class ShallowFilters(dict):
    """A filterset's filters, copied for each filterset one by one rather than deep:
    django-filter deep-copies them for every filterset (about 0.2 ms a request here), yet a
    filter holds no state of a request but the model and parent django-filter sets on each
    copy, and the FilterMethod that calls the parent's method, made anew for each copy."""

    def __deepcopy__(self, memo):
        copies = {}
        for name, filter_ in self.items():
            copied = copies[name] = copy.copy(filter_)
            if filter_.method is not None:
                copied.method = filter_.method  # its own FilterMethod, calling its parent
        return copies


CourseFilter.base_filters = ShallowFilters(CourseFilter.base_filters)


def month_label(key: str) -> str:
    """ "2027-03" as the active language writes the month ("maart 2027")."""
    return _month_label(key, get_language())


@lru_cache(maxsize=512)
def _month_label(key: str, language: str | None) -> str:
    year, month = (int(part) for part in key.split("-"))
    return formats.date_format(datetime.date(year, month, 1), "F Y")
