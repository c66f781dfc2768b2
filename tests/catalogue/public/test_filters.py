import datetime
from decimal import Decimal

import html5lib
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from catalogue.public.filters import CourseFilter
from tests.factories import (
    AudienceFactory,
    CourseFactory,
    FormatFactory,
    LocationFactory,
    PriceFactory,
    ProviderFactory,
    SessionFactory,
    ThemeFactory,
)
from trainings.models import Course, Price, Session

pytestmark = pytest.mark.django_db

URL = reverse("catalogue:course-list")


def titles(client, params) -> list[str]:
    response = client.get(URL, params)
    assert response.status_code == 200
    return sorted(card.title for card in response.context["cards"])


def filtered(params) -> set[str]:
    filterset = CourseFilter(params, queryset=Course.objects.published())
    return set(filterset.qs.values_list("title", flat=True))


@pytest.fixture
def catalogue_data():
    klassikaal = FormatFactory(name="Klassikaal", slug="klassikaal")
    elearning = FormatFactory(name="E-learning", slug="e-learning")
    ido = AudienceFactory(name="IDO-medewerkers", slug="ido-medewerkers")
    ambtenaren = AudienceFactory(name="Ambtenaren", slug="ambtenaren")
    cybersoek = ProviderFactory(name="Cybersoek", slug="cybersoek")
    gsob = ProviderFactory(name="GSOB", slug="gsob")
    inclusie = ThemeFactory(name="Digitale inclusie", slug="digitale-inclusie")
    bestuur = ThemeFactory(name="Bestuur", slug="bestuur")
    privacy = CourseFactory(
        title="Privacy in het IDO",
        theme=inclusie,
        level="basis",
        formats=[klassikaal],
        audiences=[ido],
        description="Een open gesprek over privacygevoelige vragen.",
    )
    didactiek = CourseFactory(
        title="Didactische vaardigheden",
        theme=inclusie,
        level="verdieping",
        formats=[klassikaal],
        audiences=[ido],
        providers=[cybersoek],
        summary="Tweedaagse training over lesgeven aan volwassenen.",
    )
    elearn = CourseFactory(
        title="IDO-e-learning",
        theme=inclusie,
        level="basis",
        formats=[elearning],
        audiences=[ido],
    )
    brussel = CourseFactory(
        title="Digitale ongelijkheden",
        theme=bestuur,
        level="basis",
        formats=[klassikaal],
        audiences=[ambtenaren],
        providers=[gsob],
    )
    CourseFactory(title="Verborgen concept", is_published=False, formats=[klassikaal])
    PriceFactory(course=brussel, kind=Price.Kind.PER_PARTICIPANT, amount=Decimal("25"))
    PriceFactory(
        course=brussel, kind=Price.Kind.FREE_UNDER_CONDITION, amount=None, condition="Brussel"
    )
    PriceFactory(course=didactiek, kind=Price.Kind.PER_PARTICIPANT, amount=Decimal("0"))
    return {"privacy": privacy, "didactiek": didactiek, "elearn": elearn, "brussel": brussel}


def month_of(days: int) -> str:
    return (timezone.localdate() + datetime.timedelta(days=days)).strftime("%Y-%m")


def test_unfiltered_shows_published_courses_only(client, catalogue_data):
    assert titles(client, {}) == [
        "Didactische vaardigheden",
        "Digitale ongelijkheden",
        "IDO-e-learning",
        "Privacy in het IDO",
    ]


@pytest.mark.parametrize(
    "query, expected",
    [
        ("privacy", {"Privacy in het IDO"}),  # title
        ("PRIVACYGEVOELIGE", {"Privacy in het IDO"}),  # description, any case
        ("volwassenen", {"Didactische vaardigheden"}),  # summary
        ("cybersoek", {"Didactische vaardigheden"}),  # provider
        ("ambtenaren", {"Digitale ongelijkheden"}),  # audience
        ("ido privacy", {"Privacy in het IDO"}),  # every word must match
        ("onbestaand", set()),
    ],
)
def test_text_search(catalogue_data, query, expected):
    assert filtered({"q": query}) == expected


def test_filter_by_format(catalogue_data):
    assert filtered({"format": "e-learning"}) == {"IDO-e-learning"}


def test_several_values_of_one_filter_widen_the_result(catalogue_data, rf):
    from django.http import QueryDict

    params = QueryDict("format=e-learning&format=klassikaal")
    assert filtered(params) == {
        "IDO-e-learning",
        "Privacy in het IDO",
        "Didactische vaardigheden",
        "Digitale ongelijkheden",
    }


def test_filter_by_audience(catalogue_data):
    assert filtered({"audience": "ambtenaren"}) == {"Digitale ongelijkheden"}


def test_filter_by_provider(catalogue_data):
    assert filtered({"provider": "gsob"}) == {"Digitale ongelijkheden"}


def test_filter_by_theme(catalogue_data):
    assert filtered({"theme": "bestuur"}) == {"Digitale ongelijkheden"}


def test_filter_by_level(catalogue_data):
    assert filtered({"level": "verdieping"}) == {"Didactische vaardigheden"}


def test_filter_by_price(catalogue_data):
    # Free: an amount of 0 or free under a condition; paid: an amount above 0.
    assert filtered({"price": "free"}) == {"Digitale ongelijkheden", "Didactische vaardigheden"}
    assert filtered({"price": "paid"}) == {"Digitale ongelijkheden"}


def test_filter_by_open_session(catalogue_data):
    SessionFactory(course=catalogue_data["privacy"], days=[10])
    SessionFactory(course=catalogue_data["elearn"], days=[10], status=Session.Status.CANCELLED)
    SessionFactory(course=catalogue_data["brussel"], days=[-3])
    assert filtered({"open": "1"}) == {"Privacy in het IDO"}


def test_filter_by_month_and_city(catalogue_data):
    utrecht = LocationFactory(city="Utrecht")
    online = LocationFactory(name="Online", city="", is_online=True)
    SessionFactory(course=catalogue_data["privacy"], location=utrecht, days=[10])
    SessionFactory(course=catalogue_data["didactiek"], location=online, days=[80])
    assert filtered({"month": month_of(10)}) == {"Privacy in het IDO"}
    assert filtered({"city": "utrecht"}) == {"Privacy in het IDO"}
    assert filtered({"city": "online"}) == {"Didactische vaardigheden"}


def test_session_filters_must_hold_for_the_same_session(catalogue_data):
    utrecht = LocationFactory(city="Utrecht")
    zwolle = LocationFactory(city="Zwolle")
    SessionFactory(course=catalogue_data["privacy"], location=utrecht, days=[10])
    SessionFactory(course=catalogue_data["privacy"], location=zwolle, days=[80])
    assert filtered({"city": "Utrecht", "month": month_of(10)}) == {"Privacy in het IDO"}
    assert filtered({"city": "Utrecht", "month": month_of(80)}) == set()


def test_filters_combine(catalogue_data):
    SessionFactory(course=catalogue_data["privacy"], days=[10])
    params = {
        "format": "klassikaal",
        "audience": "ido-medewerkers",
        "theme": "digitale-inclusie",
        "level": "basis",
        "open": "1",
        "q": "privacy",
    }
    assert filtered(params) == {"Privacy in het IDO"}


@pytest.mark.parametrize(
    "params",
    [
        {"format": "<script>alert(1)</script>"},
        {"format": "bestaat-niet"},
        {"level": "expert"},
        {"price": "goedkoop"},
        {"month": "2026-13"},
        {"month": "gisteren"},
        {"open": "ja"},
        {"city": "x" * 500},
        {"order": "; DROP TABLE"},
        {"page": "abc"},
        {"page": "99999"},
        {"page": "-1"},
        {"q": "a\x00b"},
        {"q": "x" * 5000},
        {"q": "%%%___'\""},
        {"theme": ["a"] * 200},
        {"unknown": "value"},
    ],
)
def test_bad_values_never_break_the_page(client, catalogue_data, params):
    response = client.get(URL, params)
    assert response.status_code == 200
    assert len(response.context["cards"]) in (0, 4)


def test_unknown_value_next_to_a_known_one_is_ignored(client, catalogue_data):
    from django.http import QueryDict

    assert filtered(QueryDict("format=e-learning&format=%3Cscript%3E")) == {"IDO-e-learning"}


def test_facet_counts_ignore_their_own_selection(catalogue_data):
    filterset = CourseFilter({"format": "e-learning"}, queryset=Course.objects.published())
    facets = {facet.name: facet for facet in filterset.facets()}
    formats = {o.value: (o.count, o.selected) for o in facets["format"].options}
    # Choosing e-learning still shows how many klassikaal courses there are.
    assert formats == {"klassikaal": (3, False), "e-learning": (1, True)}
    levels = {o.value: o.count for o in facets["level"].options}
    assert levels == {"basis": 1}  # only the e-learning course, which is basis
    themes = {o.value: o.count for o in facets["theme"].options}
    assert themes == {"digitale-inclusie": 1}


def test_facets_include_months_and_cities_of_open_sessions(catalogue_data):
    SessionFactory(
        course=catalogue_data["privacy"], location=LocationFactory(city="Zwolle"), days=[10]
    )
    SessionFactory(
        course=catalogue_data["didactiek"],
        location=LocationFactory(name="Online", city="", is_online=True),
        days=[10],
    )
    facets = {f.name: f for f in CourseFilter({}, queryset=Course.objects.published()).facets()}
    assert {o.value: o.count for o in facets["city"].options} == {"Zwolle": 1, "online": 1}
    assert {o.value: o.count for o in facets["month"].options} == {month_of(10): 2}
    assert {o.value: o.count for o in facets["open"].options} == {"1": 2}


def test_ordering_by_next_session_puts_courses_without_sessions_last(client, catalogue_data):
    SessionFactory(course=catalogue_data["elearn"], days=[5])
    SessionFactory(course=catalogue_data["brussel"], days=[30])
    response = client.get(URL, {"order": "date"})
    ordered = [card.title for card in response.context["cards"]]
    assert ordered[:2] == ["IDO-e-learning", "Digitale ongelijkheden"]


def test_ordering_newest_first(client, catalogue_data):
    Course.objects.filter(pk=catalogue_data["privacy"].pk).update(
        created_at=timezone.now() + datetime.timedelta(days=1)
    )
    response = client.get(URL, {"order": "newest"})
    assert response.context["cards"][0].title == "Privacy in het IDO"


def test_pagination_keeps_the_filters(client):
    format_ = FormatFactory(slug="klassikaal", name="Klassikaal")
    for _ in range(25):
        CourseFactory(formats=[format_])
    response = client.get(URL, {"format": "klassikaal"})
    assert response.context["page"].paginator.num_pages == 2
    assert 'href="?format=klassikaal&amp;page=2"' in response.content.decode()
    second = client.get(URL, {"format": "klassikaal", "page": 2})
    assert len(second.context["cards"]) == 5


def test_pagination_shows_page_numbers_with_gaps_and_keeps_the_filters(client):
    format_ = FormatFactory(slug="klassikaal", name="Klassikaal")
    for _ in range(20 * 9 + 1):  # ten pages
        CourseFactory(formats=[format_])
    response = client.get(URL, {"format": "klassikaal", "page": 5})
    document = html5lib.parse(response.content, namespaceHTMLElements=False)
    nav = document.find(".//nav[@class='pagination']")
    items = [" ".join("".join(li.itertext()).split()) for li in nav.iter("li")]
    assert items == [
        "Vorige pagina",
        "Pagina 1",
        "…",
        "Pagina 4",
        "Pagina 5",
        "Pagina 6",
        "…",
        "Pagina 10",
        "Volgende pagina",
    ]
    current = [a for a in nav.iter("a") if a.get("aria-current") == "page"]
    assert [a.get("href") for a in current] == ["?format=klassikaal&page=5"]
    assert "?format=klassikaal&page=10" in {a.get("href") for a in nav.iter("a")}


def test_empty_result_explains_what_to_do(client, catalogue_data):
    response = client.get(URL, {"q": "onbestaand", "format": "e-learning"})
    html = response.content.decode()
    assert "Geen trainingen gevonden" in html
    assert "Wis filters" in html
    assert "controleer de spelling" in html


def test_active_filter_chips_remove_one_value(client, catalogue_data):
    response = client.get(URL, {"format": ["klassikaal", "e-learning"], "theme": "bestuur"})
    chips = {chip["label"]: chip["url"] for chip in response.context["active_filters"]}
    assert chips["E-learning"] == "?format=klassikaal&theme=bestuur"


def make_courses(count: int):
    formats = [FormatFactory(slug=f"f{i}", name=f"F{i}") for i in range(3)]
    audiences = [AudienceFactory(slug=f"a{i}", name=f"A{i}") for i in range(3)]
    providers = [ProviderFactory(slug=f"p{i}", name=f"P{i}") for i in range(3)]
    location = LocationFactory()
    for i in range(count):
        course = CourseFactory(
            formats=formats[: i % 3 + 1],
            audiences=audiences[:2],
            providers=providers[:2],
            level="basis",
        )
        PriceFactory(course=course)
        SessionFactory(course=course, location=location, days=[10 + i % 20])


# count, course facets, session facets, page, prices, labels; and the page's ETag and
# Last-Modified (one query: catalogue/http/conditional.py)
LIST_QUERIES = 6 + 1
SEARCH_QUERIES = LIST_QUERIES + 1  # learning paths, profiles and resources ("Ook gevonden")


@pytest.mark.parametrize(
    "params",
    [{}, {"format": "f0", "audience": "a1", "open": "1"}, {"q": "training"}],
)
@pytest.mark.usefixtures("no_page_cache")
def test_catalogue_query_count_does_not_grow_with_the_data(
    client, params, django_assert_max_num_queries, settings
):
    settings.CATALOGUE_INDEX = False  # the database's answer (while the index is built)
    make_courses(1)
    with CaptureQueriesContext(connection) as one:
        client.get(URL, params)
    make_courses(49)
    with django_assert_max_num_queries(SEARCH_QUERIES if "q" in params else LIST_QUERIES):
        response = client.get(URL, params)
    with CaptureQueriesContext(connection) as fifty:
        client.get(URL, params)
    assert response.status_code == 200
    assert len(fifty) == len(one)


def test_month_facet_and_filter_use_the_local_date(catalogue_data):
    """A session that starts late in the evening of the last day of a month (Amsterdam time,
    already the next month in UTC in winter and summer alike) belongs to the local month."""
    today = timezone.localdate()
    first_of_next = (today.replace(day=1) + datetime.timedelta(days=62)).replace(day=1)
    last_day = first_of_next - datetime.timedelta(days=1)
    SessionFactory(
        course=catalogue_data["privacy"],
        days=[(last_day, datetime.time(23, 0), datetime.time(23, 59))],
    )
    SessionFactory(
        course=catalogue_data["didactiek"],
        days=[(first_of_next, datetime.time(0, 30), datetime.time(2, 0))],
    )
    facets = {f.name: f for f in CourseFilter({}, queryset=Course.objects.published()).facets()}
    months = {o.value: o.count for o in facets["month"].options}
    assert months == {f"{last_day:%Y-%m}": 1, f"{first_of_next:%Y-%m}": 1}
    assert filtered({"month": f"{last_day:%Y-%m}"}) == {"Privacy in het IDO"}
    assert filtered({"month": f"{first_of_next:%Y-%m}"}) == {"Didactische vaardigheden"}


def test_a_chosen_value_without_courses_stays_visible(catalogue_data):
    """E-learning is chosen, but no e-learning course is for civil servants: the option
    stays (with 0) so it can be unticked."""
    params = {"format": "e-learning", "audience": "ambtenaren"}
    facets = {f.name: f for f in CourseFilter(params, queryset=Course.objects.published()).facets()}
    formats = {o.value: (o.count, o.selected) for o in facets["format"].options}
    assert formats == {"klassikaal": (1, False), "e-learning": (0, True)}
    audiences = {o.value: (o.count, o.selected) for o in facets["audience"].options}
    assert audiences == {"ido-medewerkers": (1, False), "ambtenaren": (0, True)}


def canonical_and_robots(response) -> tuple[str, str | None]:
    document = html5lib.parse(response.content, namespaceHTMLElements=False)
    link = document.find(".//link[@rel='canonical']")
    robots = document.find(".//meta[@name='robots']")
    return link.get("href"), None if robots is None else robots.get("content")


def test_canonical_of_a_later_page_keeps_its_page_number_and_drops_the_noise(client):
    for _ in range(45):
        CourseFactory()
    response = client.get(URL, {"page": "2", "order": "newest", "utm_source": "mail"})
    assert canonical_and_robots(response) == ("http://testserver/trainingen/?page=2", None)
    first = client.get(URL, {"page": "1", "order": "title"})
    assert canonical_and_robots(first) == ("http://testserver/trainingen/", None)
    beyond = client.get(URL, {"page": "99"})  # shows the last page, and says so
    assert canonical_and_robots(beyond)[0] == "http://testserver/trainingen/?page=3"


def test_canonical_of_one_filter_value_is_an_indexable_landing_page(client, catalogue_data):
    response = client.get(URL, {"format": "E-Learning", "order": "date"})
    assert canonical_and_robots(response) == (
        "http://testserver/trainingen/?format=e-learning",
        None,
    )


def test_canonical_of_a_search_or_combination_is_normalised_and_not_indexed(client, catalogue_data):
    combination = client.get(URL, {"theme": "bestuur", "format": ["klassikaal", "e-learning"]})
    assert canonical_and_robots(combination) == (
        "http://testserver/trainingen/?theme=bestuur&format=klassikaal&format=e-learning",
        "noindex, follow",
    )
    search = client.get(URL, {"q": "privacy"})
    assert canonical_and_robots(search) == ("http://testserver/trainingen/", "noindex, follow")


def test_an_unknown_filter_value_is_ignored_like_the_readme_promises(client, catalogue_data):
    everything = titles(client, {})
    assert titles(client, {"format": "bestaat-niet"}) == everything
    assert titles(client, {"theme": "oud-thema", "provider": "weg", "audience": "x"}) == everything
    response = client.get(URL, {"format": "bestaat-niet", "order": "date"})
    assert response.context["active_filters"] == []  # no chip for a value that does nothing
    assert titles(client, {"format": ["bestaat-niet", "e-learning"]}) == ["IDO-e-learning"]
    assert filtered({"format": "bestaat-niet"}) == filtered({})


def test_each_filterset_has_filters_of_its_own():
    """The filters are copied one by one for each filterset (not deep-copied, which cost
    0.2 ms a request): each copy's method must call its own filterset, never another's."""
    first, second = CourseFilter({"theme": "a"}), CourseFilter({"theme": "b"})
    for name, filter_ in first.filters.items():
        other = second.filters[name]
        assert filter_ is not other and filter_.parent is first and other.parent is second
        if filter_.method is not None:
            assert filter_.filter.f is filter_ and other.filter.f is other
            assert filter_.filter.method == getattr(first, filter_.method)
    assert first.form.__class__ is second.form.__class__  # the form class is built once
    assert first.form is not second.form
    assert first.selected("theme") == ["a"] and second.selected("theme") == ["b"]
