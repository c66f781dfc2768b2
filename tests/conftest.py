import os

import pytest
from django.db import connection

# In CI a skipped test must not pass silently: FAIL_ON_SKIP=1 turns any skip into a failure.
FAIL_ON_SKIP = os.environ.get("FAIL_ON_SKIP") == "1"


def pytest_configure(config):
    config.addinivalue_line("markers", "postgres: needs PostgreSQL; deselected on other databases")


def pytest_collection_modifyitems(config, items):
    # A transactional test that flushes without serialized_rollback re-creates content types,
    # which breaks the next test that restores the migrations' data (groups). Require it.
    for item in items:
        marker = item.get_closest_marker("django_db")
        if (
            marker
            and marker.kwargs.get("transaction")
            and not marker.kwargs.get("serialized_rollback")
        ):
            raise pytest.UsageError(
                f"{item.nodeid}: use django_db(transaction=True, serialized_rollback=True)"
            )
    if connection.vendor == "postgresql":
        return
    selected, deselected = [], []
    for item in items:
        (deselected if item.get_closest_marker("postgres") else selected).append(item)
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = selected


def pytest_sessionfinish(session, exitstatus):
    if not FAIL_ON_SKIP:
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = reporter.stats.get("skipped", []) if reporter else []
    if skipped:
        reporter.write_line(f"FAIL_ON_SKIP: {len(skipped)} test(s) were skipped", red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.fixture
def catalogue(db):
    """The real seed catalogue from fixtures/catalogue.json."""
    from django.core.management import call_command
    from django.utils import translation

    from trainings.search import refresh

    # Texts without a language column in the fixture are Dutch, whatever a previous request
    # left active (modeltranslation stores them in the active language's column).
    with translation.override("nl"):
        call_command("loaddata", "catalogue", verbosity=0)
    refresh()


@pytest.fixture(autouse=True)
def _dutch_to_start():
    """Each test starts in Dutch: a request activates its page's language for the thread
    (LocaleMiddleware), and reverse() gives /en/… addresses while English is active."""
    from django.utils import translation

    translation.activate("nl")
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate limits and lock-outs live in the cache; each test starts without any."""
    from django.core.cache import cache

    from catalogue.public import facet_index

    cache.clear()
    facet_index.reset()  # the catalogue index of an earlier test's data
    yield


@pytest.fixture(autouse=True)
def _dutch_to_start():
    """Each test starts in Dutch: a request in another language leaves that language active in
    the thread, and modeltranslation reads and filters texts (title, name, …) in it."""
    from django.utils import translation

    translation.activate("nl")
    yield
    translation.activate("nl")


@pytest.fixture
def no_page_cache(settings, monkeypatch):
    """Measure the page itself, not a cached copy (query counts): no page cache, and the home
    and course pages build their skeleton on every request (catalogue/public/fragments.py)."""
    from catalogue.public import fragments

    settings.CACHE_PAGES = False
    monkeypatch.setattr(fragments.skeletons, "get", lambda key: None)
