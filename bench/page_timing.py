"""The work of each public page, in-process, without the page cache, on requests that vary.

    python bench/page_timing.py '{"count": 120, "seed": 17}'

Against DATABASE_URL with the production settings of the environment (bench/run.py gives
DJANGO_DEBUG=0; the page cache is off unless DJANGO_CACHE_PAGES says otherwise) and the whole
middleware stack through Django's test client, so no HTTP server, network or load generator
is in the figure: what one worker spends on one request. The kinds of request:

- bare: a view that answers "ok" (bench/urls.py), the floor of the middleware stack;
- home;
- catalogue: no filters, page 1–3 in a random order (title, date, newest);
- catalogue_filters: 1–3 facet values drawn from the options the database really has
  (theme, format, audience, provider, level, price, open, month, city);
- catalogue_search: one or two words drawn from the titles of published courses, a third of
  the searches with a filter;
- detail: the page of a random published course (at 10 000 courses nearly always one this
  process has not shown before: rendered in full);
- detail_again: the page of one of 10 courses drawn once (popular pages, shown before by this
  process in this catalogue version: filled in from its skeleton).

Every request of a kind is drawn anew (a fixed seed, so two runs ask the same), after a
warm-up of a few requests per kind; the kinds take turns, so a moment when the shared machine
is busy costs every kind alike. Every request accepts gzip, as browsers do, so compressing
the HTML is in the figure. Per request it records the wall time, the time inside SQL
(timed around every query of Django's connection), the queries and the CPU time of this
process. The enrolment POST is timed by bench/enrolment_timing.py (bench/run.py puts its
figure in the same table).

It also builds the facet index (catalogue.public.facet_index.build_index) three times: the
median time, and the size of what the built index holds (held_mb: sys.getsizeof over
everything it references, classes, modules and functions excluded); then once more under
tracemalloc: what Python allocated at the peak of that build (peak_mb, temporaries such as
query rows included) and what was still allocated when it returned (kept_mb, the index and
whatever the build cached elsewhere). Memory outside Python's allocator (libpq's buffers) is
not in these figures. Without that module it says "not available".

Prints one JSON object. Used by bench/run.py. With {"paths": n} it prints n paths of each
kind (bare excepted) instead, drawn the same way, for the load generator.
"""

from __future__ import annotations

import gc
import json
import os
import random
import re
import statistics
import sys
import time
import tracemalloc
from pathlib import Path
from types import FunctionType, ModuleType
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "catalogue.settings")

from bench.enrolment_timing import percentile, timed_queries

WARM_UP = 5
KINDS = (
    "bare",
    "home",
    "catalogue",
    "catalogue_filters",
    "catalogue_search",
    "detail",
    "detail_again",
)
# The courses "detail_again" visits: a few popular pages that every process has shown before.
POPULAR = 10
ORDERS = ("title", "date", "newest")
WORD = re.compile(r"[^\W\d_]{4,}")
BUILDS = 3
# As a browser asks: compressing the HTML (catalogue/middleware.py) is part of the work.
HEADERS = {"Accept-Encoding": "gzip, deflate, br"}
# The longest list of examples (paths) kept per kind in the output.
EXAMPLES = 3


def catalogue_options() -> dict:
    """What the database offers to draw requests from: facet values, title words, slugs."""
    from django.utils import timezone

    from trainings.models import Audience, Course, Format, Provider, Session, Theme

    published = Course.objects.published().order_by()

    def slugs(model) -> list[str]:
        return sorted(
            model.objects.filter(courses__is_published=True)
            .order_by()
            .values_list("slug", flat=True)
            .distinct()
        )

    open_sessions = Session.objects.open_for_registration(timezone.now()).filter(
        course__is_published=True
    )
    months = sorted(
        {f"{moment:%Y-%m}" for moment in open_sessions.order_by().datetimes("starts_at", "month")}
    )
    cities = sorted(
        set(
            open_sessions.filter(location__is_online=False)
            .exclude(location__city="")
            .order_by()
            .values_list("location__city", flat=True)
            .distinct()
        )
    )
    if open_sessions.filter(location__is_online=True).exists():
        cities.append("online")
    facets = {
        "theme": slugs(Theme),
        "format": slugs(Format),
        "audience": slugs(Audience),
        "provider": slugs(Provider),
        "level": sorted(set(published.exclude(level="").values_list("level", flat=True))),
        "price": ["free", "paid"],
        "open": ["1"],
        "month": months,
        "city": cities,
    }
    words = sorted(
        {
            word.lower()
            for title in published.values_list("title", flat=True)
            for word in WORD.findall(title)
        }
    )
    return {
        "facets": {name: values for name, values in facets.items() if values},
        "words": words,
        "slugs": list(published.order_by("pk").values_list("slug", flat=True)),
    }


def filter_params(rng: random.Random, facets: dict, most: int = 3) -> list[tuple[str, str]]:
    params: list[tuple[str, str]] = []
    for _ in range(rng.randint(1, most)):
        name = rng.choice(sorted(facets))
        pair = (name, rng.choice(facets[name]))
        if pair not in params:
            params.append(pair)
    return params


def path_maker(kind: str, options: dict, seed: int):
    """A function giving the next path of this kind; each kind its own random sequence."""
    rng = random.Random(f"{seed}-{kind}")
    facets, words, slugs = options["facets"], options["words"], options["slugs"]

    def catalogue() -> str:
        params = [("order", rng.choice(ORDERS))]
        page = rng.randint(1, 3)
        if page > 1:
            params.append(("page", str(page)))
        return "/trainingen/?" + urlencode(params)

    def catalogue_filters() -> str:
        return "/trainingen/?" + urlencode(filter_params(rng, facets))

    def catalogue_search() -> str:
        query = " ".join(rng.sample(words, rng.choice((1, 1, 2))))
        params = [("q", query)]
        if rng.random() < 1 / 3:
            params += filter_params(rng, facets, most=1)
        return "/trainingen/?" + urlencode(params)

    popular = random.Random(f"{seed}-popular").sample(slugs, min(POPULAR, len(slugs)))
    makers = {
        "bare": lambda: "/bench/bare/",
        "home": lambda: "/",
        "catalogue": catalogue,
        "catalogue_filters": catalogue_filters,
        "catalogue_search": catalogue_search,
        "detail": lambda: f"/trainingen/{rng.choice(slugs)}/",
        "detail_again": lambda: f"/trainingen/{rng.choice(popular)}/",
    }
    return makers[kind]


def deep_size(root) -> int:
    """Bytes of root and of everything it references (each object once), as sys.getsizeof
    counts them; classes, modules and functions are shared with the rest of the process."""
    seen: set[int] = set()
    size = 0
    todo = [root]
    while todo:
        fresh = []
        for obj in todo:
            if isinstance(obj, type | ModuleType | FunctionType) or id(obj) in seen:
                continue
            seen.add(id(obj))
            size += sys.getsizeof(obj)
            fresh.append(obj)
        todo = gc.get_referents(*fresh)
    return size


def facet_index_figures(sql: dict) -> dict:
    """Time and memory of building the facet index, or why there is none."""
    try:
        from catalogue.public.facet_index import build_index
    except ImportError as error:
        return {"available": False, "reason": f"catalogue.public.facet_index: {error}"}
    try:
        seconds, sql_seconds, queries = [], [], []
        for _ in range(BUILDS):
            sql.update(seconds=0.0, queries=0)
            started = time.perf_counter()
            index = build_index()
            seconds.append(time.perf_counter() - started)
            sql_seconds.append(sql["seconds"])
            queries.append(sql["queries"])
        held = deep_size(index)
        del index
        gc.collect()
        tracemalloc.start()
        try:
            index = build_index()
            kept, peak = tracemalloc.get_traced_memory()
            del index
        finally:
            tracemalloc.stop()
    except Exception as error:  # a broken build is a figure to report, not a crash
        return {"available": False, "reason": f"build_index() failed: {error!r}"}
    return {
        "available": True,
        "builds": BUILDS,
        "median_ms": statistics.median(seconds) * 1000,
        "max_ms": max(seconds) * 1000,
        "sql_ms": statistics.median(sql_seconds) * 1000,
        "queries": statistics.median(queries),
        "peak_mb": peak / 1e6,
        "held_mb": held / 1e6,
        "kept_mb": kept / 1e6,
    }


def main() -> None:
    import django

    os.environ.setdefault("DJANGO_CACHE_PAGES", "0")
    django.setup()
    from django.db import connection
    from django.test import Client, override_settings

    wanted = json.loads(sys.argv[1]) if len(sys.argv) > 1 else {}
    count, seed = wanted.get("count", 120), wanted.get("seed", 17)
    if "paths" in wanted:  # only the paths, for the load generator (bench/wrk.lua)
        options = catalogue_options()
        makers = {kind: path_maker(kind, options, seed) for kind in KINDS if kind != "bare"}
        paths = {kind: [make() for _ in range(wanted["paths"])] for kind, make in makers.items()}
        print(json.dumps({"paths": paths}))
        return
    warm_up = wanted.get("warm_up", WARM_UP)
    sql = {"seconds": 0.0, "queries": 0}

    timed_query = timed_queries(sql)

    options = catalogue_options()
    makers = {kind: path_maker(kind, options, seed) for kind in KINDS}
    client = Client()
    records = {kind: [] for kind in KINDS}
    failures = {kind: [] for kind in KINDS}
    examples = {kind: [] for kind in KINDS}
    paths = {kind: set() for kind in KINDS}
    with override_settings(ROOT_URLCONF="bench.urls"), connection.execute_wrapper(timed_query):
        # The process's own first-use costs (templates, translations, connections) and
        # whatever the pages build once per process.
        for _ in range(warm_up):
            for kind in KINDS:
                client.get(makers[kind](), headers=HEADERS)
        facet_index = facet_index_figures(sql)
        for _ in range(count):
            for kind in KINDS:
                path = makers[kind]()
                sql.update(seconds=0.0, queries=0)
                started, cpu_started = time.perf_counter(), time.process_time()
                response = client.get(path, headers=HEADERS)
                wall = time.perf_counter() - started
                cpu = time.process_time() - cpu_started
                records[kind].append(
                    (wall * 1000, sql["seconds"] * 1000, sql["queries"], cpu * 1000)
                )
                if response.status_code != 200:
                    failures[kind].append(f"{path} → {response.status_code}")
                paths[kind].add(path)
                if len(examples[kind]) < EXAMPLES and path not in examples[kind]:
                    examples[kind].append(path)
    pages = {}
    for kind, rows in records.items():
        walls = [row[0] for row in rows]
        pages[kind] = {
            "count": len(rows),
            "distinct": len(paths[kind]),
            "median_ms": statistics.median(walls),
            "p95_ms": percentile(walls, 0.95),
            "sql_ms": statistics.median(row[1] for row in rows),
            "python_ms": statistics.median(row[0] - row[1] for row in rows),
            "queries": statistics.median(row[2] for row in rows),
            "max_queries": max(row[2] for row in rows),
            "cpu_ms": statistics.median(row[3] for row in rows),
            "errors": len(failures[kind]),
            "failures": failures[kind][:5],
            "examples": examples[kind],
        }
    bare = pages["bare"]["median_ms"]
    for figures in pages.values():
        figures["multiple"] = figures["median_ms"] / bare if bare else None
    print(
        json.dumps(
            {
                "count": count,
                "seed": seed,
                "options": {name: len(values) for name, values in options["facets"].items()}
                | {"words": len(options["words"]), "courses": len(options["slugs"])},
                "pages": pages,
                "facet_index": facet_index,
            }
        )
    )


if __name__ == "__main__":
    main()
