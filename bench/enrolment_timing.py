"""The request work of one enrolment POST, in-process, against DATABASE_URL.

    python bench/enrolment_timing.py '{"sessions": [12, 13], "count": 100, "tag": "abc"}'

The production settings (DJANGO_DEBUG=0, the mail and queue settings of the environment)
and the whole middleware stack through Django's test client, so no HTTP server, network or
load generator is in the figure: what one worker spends on one enrolment. Every POST is a
different person (bench-timing-<tag>-<n>@example.org), rotating over the given sessions.
The time is split into the SQL the request runs (timed around every query of Django's
connection), putting the mail task on the queue (after the commit), and the rest (Python,
and the cache when it is Redis: rate limit, page versions, session). The CPU time of this
process is given too: on a machine shared with other work the wall time grows, the CPU time
much less.

Prints one JSON object: median and p95 of the whole POST, medians of the parts, queries per
POST and the status codes. Used by bench/run.py.
"""

import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "catalogue.settings")

WARM_UP = 5


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def timed_queries(totals: dict):
    """A connection.execute_wrapper that adds each query's time and count to `totals`
    ({"seconds": …, "queries": …})."""

    def timed_query(execute, sql_text, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql_text, params, many, context)
        finally:
            totals["seconds"] += time.perf_counter() - started
            totals["queries"] += 1

    return timed_query


def main() -> None:
    import django

    django.setup()
    from django.db import connection
    from django.test import Client

    from enrolments.mail import outbox

    wanted = json.loads(sys.argv[1])
    sessions, count, tag = wanted["sessions"], wanted["count"], wanted["tag"]
    sql = {"seconds": 0.0, "queries": 0}
    queue = {"seconds": 0.0}

    timed_query = timed_queries(sql)
    ask_worker = outbox.ask_worker

    def timed_ask_worker(pk):  # queue_email looks the name up when the commit runs it
        started = time.perf_counter()
        try:
            return ask_worker(pk)
        finally:
            queue["seconds"] += time.perf_counter() - started

    outbox.ask_worker = timed_ask_worker
    client = Client()
    totals, cpu_parts, sql_parts, queue_parts, queries = [], [], [], [], []
    statuses = {}
    with connection.execute_wrapper(timed_query):
        for n in range(WARM_UP + count):
            email = f"bench-timing-{tag}-{n}@example.org"
            data = {
                "first_name": "Bench",
                "last_name": "Timing",
                "email": email,
                "organisation": f"Bibliotheek {n % 40}",
                "privacy": "on",
                "website": "",
            }
            path = f"/sessies/{sessions[n % len(sessions)]}/inschrijven/"
            sql.update(seconds=0.0, queries=0)
            queue.update(seconds=0.0)
            started, cpu_started = time.perf_counter(), time.process_time()
            response = client.post(path, data)
            elapsed = time.perf_counter() - started
            cpu = time.process_time() - cpu_started
            if n < WARM_UP:  # the process's own first-use costs (templates, content types)
                continue
            statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
            totals.append(elapsed * 1000)
            cpu_parts.append(cpu * 1000)
            sql_parts.append(sql["seconds"] * 1000)
            queue_parts.append(queue["seconds"] * 1000)
            queries.append(sql["queries"])
    print(
        json.dumps(
            {
                "count": count,
                "median_ms": statistics.median(totals),
                "p95_ms": percentile(totals, 0.95),
                "cpu_ms": statistics.median(cpu_parts),
                "sql_ms": statistics.median(sql_parts),
                "queue_ms": statistics.median(queue_parts),
                "other_ms": statistics.median(
                    t - s - q for t, s, q in zip(totals, sql_parts, queue_parts, strict=True)
                ),
                "queries": statistics.median(queries),
                "statuses": {str(code): n for code, n in sorted(statuses.items())},
            }
        )
    )


if __name__ == "__main__":
    main()
