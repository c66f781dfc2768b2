"""The catalogue's facet index gives what the SQL filters give, for the version it belongs to."""

import datetime
import random
import threading

import pytest
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from catalogue.public import facet_index
from catalogue.public.filters import CourseFilter
from tests.catalogue.public.test_filters import make_courses
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


def varied_catalogue(seed: int = 7, courses: int = 40):
    """Courses with every kind of option, some unpublished, sessions open, closed, cancelled
    and past, in several cities, online and in several months."""
    rng = random.Random(seed)
    themes = [ThemeFactory(slug=f"t{i}", name=f"Thema {i}", position=i) for i in range(4)]
    formats = [FormatFactory(slug=f"f{i}", name=f"Vorm {i}", position=3 - i) for i in range(3)]
    audiences = [AudienceFactory(slug=f"a{i}", name=f"Groep {i}") for i in range(3)]
    providers = [ProviderFactory(slug=f"p{i}", name=f"Aanbieder {i}") for i in range(5)]
    places = [
        LocationFactory(city="Utrecht"),
        LocationFactory(city="Zwolle"),
        LocationFactory(city="utrecht"),  # the same city, written otherwise
        LocationFactory(name="Online", city="", is_online=True),
    ]
    words = ["privacy", "didactiek", "bibliotheek", "gesprek", "lezen", "inclusie"]
    for i in range(courses):
        course = CourseFactory(
            title=f"{rng.choice(words).title()} {rng.choice(words)} {i:02d}",
            theme=rng.choice([*themes, None]),
            level=rng.choice(["", "basis", "verdieping"]),
            formats=rng.sample(formats, rng.randint(0, 2)),
            audiences=rng.sample(audiences, rng.randint(0, 2)),
            providers=rng.sample(providers, rng.randint(0, 2)),
            is_published=rng.random() > 0.1,
        )
        kinds = [
            Price.Kind.PER_PARTICIPANT,
            Price.Kind.FREE_UNDER_CONDITION,
            Price.Kind.CUSTOM_SESSION,
        ]
        for kind in rng.sample(kinds, rng.randint(0, 2)):
            PriceFactory(
                course=course,
                kind=kind,
                amount=None if kind == Price.Kind.CUSTOM_SESSION else rng.choice([0, 95, 250]),
                condition="Voor leden" if kind == Price.Kind.FREE_UNDER_CONDITION else "",
            )
        for _ in range(rng.randint(0, 3)):
            SessionFactory(
                course=course,
                location=rng.choice(places),
                days=[rng.choice([-5, 3, 10, 40, 70, 100])],
                status=rng.choice([Session.Status.SCHEDULED] * 4 + [Session.Status.CANCELLED]),
            )
    return {"themes": themes, "formats": formats, "providers": providers}


def months_ahead(days: int) -> str:
    return f"{timezone.localtime(timezone.now() + datetime.timedelta(days=days)):%Y-%m}"


def random_params(rng: random.Random) -> QueryDict:
    params = QueryDict(mutable=True)
    choices = {
        "theme": ["t0", "t1", "t2", "t3", "nope"],
        "format": ["f0", "f1", "f2"],
        "audience": ["a0", "a1", "a2"],
        "provider": ["p0", "p1", "p2", "p3", "p4", "unknown"],
        "level": ["basis", "verdieping"],
        "price": ["free", "paid"],
        "open": ["1"],
        "month": [months_ahead(d) for d in (3, 40, 100)] + ["2020-01"],
        "city": ["Utrecht", "zwolle", "online", "Gent"],
        "q": ["privacy", "lezen gesprek", "bibliothek", "zzz"],
        "order": ["title", "date", "newest", "relevance"],
    }
    for name in rng.sample(sorted(choices), rng.randint(0, 4)):
        for value in rng.sample(choices[name], rng.randint(1, min(2, len(choices[name])))):
            params.appendlist(name, value)
    return params


def sql_answer(params: QueryDict):
    filterset = CourseFilter(params, queryset=Course.objects.published())
    ordered = filterset.ordered(filterset.qs.with_next_session())
    ids = list(ordered.values_list("pk", flat=True))
    return ids, facet_summary(filterset.facets())


def index_answer(params: QueryDict, index):
    filterset = CourseFilter(params, queryset=Course.objects.published())
    ranked = filterset.search_ranks() if filterset.search_query else None
    hits = None if ranked is None else index.hits_mask(ranked)
    mask = index.selection(filterset, hits)
    ids = index.page(mask, filterset.ordering, 0, 1000, ranked)
    return ids, facet_summary(index.facets(filterset, hits))


def facet_summary(facets):
    return [
        (
            facet.name,
            str(facet.label),
            [(o.value, str(o.label), o.count, o.selected) for o in facet.options],
        )
        for facet in facets
    ]


@pytest.mark.parametrize("language", ["nl", "fr"])
def test_the_index_answers_as_the_database_does(language):
    varied_catalogue()
    rng = random.Random(11)
    with translation.override(language):
        index = facet_index.build_index()
        for _ in range(80):
            params = random_params(rng)
            sql_ids, sql_facets = sql_answer(params)
            ids, facets = index_answer(params, index)
            assert facets == sql_facets, params.urlencode()
            if CourseFilter(params).ordering in ("title", "newest", "relevance"):
                assert ids == sql_ids, params.urlencode()
            else:  # by date: courses with the same next session may stand in either order
                assert sorted(ids) == sorted(sql_ids), params.urlencode()


def test_a_search_is_kept_for_the_version_and_gives_the_same_matches(client):
    varied_catalogue(courses=30)
    index = facet_index.current()
    for params in ({"q": "privacy"}, {"q": "privacy", "order": "title"}, {"q": "lezen gesprek"}):
        first = client.get(URL, params)
        with CaptureQueriesContext(connection) as again:
            second = client.get(URL, params)
        assert second.content == first.content
        assert not [q for q in again if "search_text" in q["sql"]]  # kept: not asked again
    assert len(index.searches) == 3
    with translation.override("fr"):
        filterset = CourseFilter({"q": "privacy"})
        assert filterset.search_key() not in index.searches  # another language: asked anew


def test_pages_of_the_index_follow_each_other_in_every_order():
    make_courses(45)
    index = facet_index.build_index()
    for ordering in ("title", "date", "newest"):
        whole = index.page(index.everything, ordering, 0, 100)
        pages = [index.page(index.everything, ordering, start, 20) for start in (0, 20, 40)]
        assert [pk for page in pages for pk in page] == whole
        assert len(whole) == 45
        sparse = index.everything & 0b1010101  # few matches: sorted rather than walked
        assert index.page(sparse, ordering, 0, 20) == [
            pk for pk in whole if index.position[pk] in {0, 2, 4, 6}
        ]


def test_the_page_shows_the_same_html_from_the_index_and_from_the_database(client, settings):
    varied_catalogue(courses=30)
    for params in ({}, {"format": "f1", "open": "1"}, {"q": "privacy"}, {"order": "date"}):
        settings.CATALOGUE_INDEX = False
        from_database = client.get(URL, params).content
        settings.CATALOGUE_INDEX = True
        from_index = client.get(URL, params).content
        assert from_index == from_database, params
        again = client.get(URL, params).content  # the cards now come from the index
        assert again == from_database, params


def test_a_change_to_the_offer_is_seen_at_once(client):
    catalogue = varied_catalogue(courses=5)
    assert b"Nieuw in het aanbod" not in client.get(URL).content
    CourseFactory(title="Nieuw in het aanbod", theme=catalogue["themes"][0])
    response = client.get(URL, {"theme": "t0"})
    assert b"Nieuw in het aanbod" in response.content


def test_the_index_of_another_version_is_never_used(settings):
    make_courses(3)
    first = facet_index.current()
    assert facet_index.current() is first
    CourseFactory(title="Later")
    second = facet_index.current()
    assert second is not first
    assert second.everything.bit_count() == 4


def test_the_index_ends_when_a_registration_closes():
    course = CourseFactory()
    session = SessionFactory(course=course, days=[10])
    deadline = timezone.now() + datetime.timedelta(hours=2)
    Session.objects.filter(pk=session.pk).update(registration_deadline=deadline)
    index = facet_index.build_index()
    assert index.open.bit_count() == 1
    assert index.valid_until <= deadline
    assert not index.is_current(index.version, deadline + datetime.timedelta(seconds=1))
    later = facet_index.build_index(now=deadline + datetime.timedelta(seconds=1))
    assert later.open.bit_count() == 0


def test_a_stale_index_is_rebuilt_in_the_background_while_the_database_answers(settings, client):
    settings.CATALOGUE_INDEX_BACKGROUND = True
    make_courses(3)
    started = threading.Event()
    release = threading.Event()
    real_build = facet_index.build_index

    def slow_build(*args, **kwargs):
        started.set()
        release.wait(10)
        return real_build(*args, **kwargs)

    facet_index.build_index = slow_build
    try:
        assert facet_index.current() is None  # building: the caller asks the database
        assert started.wait(10)
        response = client.get(URL)
        assert response.status_code == 200
        assert len(response.context["cards"]) == 3  # answered by the SQL path meanwhile
        release.set()
        for _ in range(100):
            if facet_index._holder.index is not None:
                break
            threading.Event().wait(0.05)
        assert facet_index.current() is not None
    finally:
        release.set()
        facet_index.build_index = real_build


def test_building_the_index_costs_the_same_queries_whatever_the_size():
    make_courses(1)
    with CaptureQueriesContext(connection) as one:
        facet_index.build_index()
    make_courses(40)
    with CaptureQueriesContext(connection) as many:
        index = facet_index.build_index()
    # Version, courses, 4 taxonomies, 3 kinds of links, prices, open sessions, first
    # sessions, the next registration closing, the title order in French and in English, and
    # the newest first.
    assert len(one) == len(many) <= 16
    assert index.everything.bit_count() == 41


# Each plus the page's ETag and Last-Modified (one query: catalogue/http/conditional.py),
# which also gives the catalogue version the index is looked up with.
INDEXED_QUERIES = 1 + 1  # the page's courses (prices and labels from the index)
CARDS_KEPT_QUERIES = 0 + 1  # the cards of this version were rendered before
SEARCH_EXTRA = 2  # matching ids and rank; paths, profiles and resources ("Ook gevonden")


@pytest.mark.parametrize(
    "params",
    [{}, {"format": "f0", "audience": "a1", "open": "1"}, {"q": "training"}],
)
@pytest.mark.usefixtures("no_page_cache")
def test_catalogue_queries_with_the_index_do_not_grow_with_the_data(
    client, params, django_assert_max_num_queries
):
    extra = SEARCH_EXTRA if "q" in params else 0
    counts = []
    for size in (1, 49):
        make_courses(size)
        facet_index.current()  # built for this version
        with django_assert_max_num_queries(INDEXED_QUERIES + extra):
            first = client.get(URL, params)
        # The matches of a search and what else it finds are kept with the index too.
        with django_assert_max_num_queries(CARDS_KEPT_QUERIES):
            again = client.get(URL, params)
        assert first.content == again.content
        counts.append(first.context["page"].paginator.count)
    assert counts[1] > counts[0]


def test_cards_kept_are_bounded(client, monkeypatch):
    from catalogue.public import cards

    monkeypatch.setattr(cards, "CARDS_KEPT", 5)
    make_courses(25)
    index = facet_index.current()
    client.get(URL)  # 20 cards rendered
    assert len(index.cards) == 5
    again = client.get(URL)
    assert again.status_code == 200 and len(again.context["cards"]) == 20


def test_the_filters_of_a_selection_are_rendered_once_per_version(client, monkeypatch):
    varied_catalogue(courses=20)
    index = facet_index.current()
    counted = []
    real = type(index).facets

    def counting(self, *args, **kwargs):
        counted.append(1)
        return real(self, *args, **kwargs)

    monkeypatch.setattr(type(index), "facets", counting)
    first = client.get(URL, {"format": "f1"}).content
    assert client.get(URL, {"format": "f1", "page": "1", "order": "date"}).status_code == 200
    assert client.get(URL, {"format": "f1"}).content == first
    assert len(counted) == 1  # page and order do not change the filters
    client.get(URL, {"format": "f2"})
    assert len(counted) == 2
    CourseFactory(title="Nog een training", formats=[])
    client.get(URL, {"format": "f1"})
    assert len(counted) == 3  # a new version: counted anew


@pytest.mark.usefixtures("no_page_cache")
def test_a_course_page_reads_its_labels_from_the_index(client, settings):
    varied_catalogue(courses=12)
    course = Course.objects.published().filter(providers__isnull=False).distinct().first()
    url = course.get_absolute_url()
    settings.CATALOGUE_INDEX = False
    with CaptureQueriesContext(connection) as without:
        from_database = client.get(url).content
    settings.CATALOGUE_INDEX = True
    facet_index.current()  # this process has the index of this version
    for language in ("nl", "fr"):
        with translation.override(language):
            index = facet_index.current()
            labels = index.labels_of(course.pk)
            from trainings.querysets import attach_labels

            (expected,) = attach_labels([Course.objects.get(pk=course.pk)])
            assert labels == expected.labels
    with CaptureQueriesContext(connection) as with_index:
        from_index = client.get(url).content
    assert from_index == from_database
    assert len(with_index) == len(without) - 1
