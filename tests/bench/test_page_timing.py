"""The in-process page timing of the benchmark (bench/page_timing.py): the requests it draws
vary, use only options the database has, repeat with the same seed, and every one answers."""

from urllib.parse import parse_qsl, urlsplit

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bench import page_timing
from tests.factories import LocationFactory, SessionFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_page_cache")]


@pytest.fixture
def options(catalogue):
    SessionFactory(location=LocationFactory(city="Gent"), days=[20])
    SessionFactory(location=LocationFactory(city="", is_online=True), days=[40])
    return page_timing.catalogue_options()


def draw(kind: str, options: dict, n: int, seed: int = 17) -> list[str]:
    make = page_timing.path_maker(kind, options, seed)
    return [make() for _ in range(n)]


def test_options_are_what_the_database_offers(options):
    assert "Gent" in options["facets"]["city"]
    assert "online" in options["facets"]["city"]
    assert options["facets"]["price"] == ["free", "paid"]
    assert "privacy-in-het-ido" in options["slugs"]
    assert "privacy" in options["words"]


def test_filtered_requests_vary_and_use_only_real_options(options):
    paths = draw("catalogue_filters", options, 40)
    assert len(set(paths)) > 20
    for path in paths:
        params = parse_qsl(urlsplit(path).query)
        assert 1 <= len(params) <= 3
        for name, value in params:
            assert value in options["facets"][name]


def test_popular_course_pages_come_from_a_few_courses(options):
    paths = draw("detail_again", options, 60)
    assert 1 < len(set(paths)) <= page_timing.POPULAR
    assert set(paths) <= {f"/trainingen/{slug}/" for slug in options["slugs"]}


def test_the_same_seed_draws_the_same_requests(options):
    for kind in ("catalogue", "catalogue_filters", "catalogue_search", "detail", "detail_again"):
        assert draw(kind, options, 10) == draw(kind, options, 10)
    assert draw("catalogue_search", options, 10) != draw("catalogue_search", options, 10, seed=18)


def test_every_drawn_request_answers(client, options, settings):
    settings.ROOT_URLCONF = "bench.urls"
    for kind in page_timing.KINDS:
        for path in draw(kind, options, 5):
            assert client.get(path).status_code == 200, path


def test_the_bare_view_runs_no_query(client, settings):
    settings.ROOT_URLCONF = "bench.urls"
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/bench/bare/")
    assert response.content == b"ok"
    assert len(queries) == 0
