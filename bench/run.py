"""The benchmark: the app as production runs it, on PostgreSQL, at two catalogue sizes.

    make bench            # 100 and 10 000 courses; writes docs/PERFORMANCE.md
    make bench-smoke      # 100 courses, 10 requests a page; checks correctness, not speed
    bench/run.py --timing-only   # only the in-process page timing; prints its tables

No page is served from the page cache (DJANGO_CACHE_PAGES=0): the product does not rely on
it. For each size it fills a database (generate_catalogue) and first times every page
in-process (bench/page_timing.py: Django's test client, production settings, 120 requests per
page that vary as visitors' requests do, the time split into SQL and Python, each page as a
multiple of a bare view through the same middleware) and the build of the facet index: the
primary table of docs/PERFORMANCE.md, with the budgets of issue 17. Then it starts gunicorn
with as many workers as cores and DJANGO_DEBUG=0 and the task worker beside it (the
Procfile's two lines), warms them up and measures every page with wrk (a C load generator on
loopback), each request a random path of that page's kind (drawn like the in-process ones):
requests per second, p50 and p95 latency, and each page's throughput as a share of /healthz
measured in the same run. --page-cache adds a pass with the page cache on.

Mail goes to a real SMTP server on loopback (aiosmtpd, a thread of this process, counting
the messages per recipient), never to a dummy backend. The request work of one enrolment POST
is timed in-process (bench/enrolment_timing.py). Then 20 clients race to enrol into sessions
that fill up and waitlist; afterwards no session may be overbooked, and the outbox is watched
until the worker has sent every mail the race queued, each exactly once. The same again with
a mail server that accepts connections and never answers (a tarpit): the enrolments must
not notice; then a fresh worker at the real server must send everything queued meanwhile,
once. At 10 000 courses it also exports 100 000 enrolments as CSV and XLSX (time and peak
memory).

Database server: BENCH_DATABASE_SERVER (default postgres://postgres@127.0.0.1:5432);
the databases are <BENCH_DATABASE_PREFIX>_<size> (default trainingscatalogus_bench_100 and
trainingscatalogus_bench_10000) and are kept for the next run. The task queue is Huey's
default beside PostgreSQL: tables in the same database.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import re
import secrets
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
GUNICORN = Path(sys.executable).parent / "gunicorn"
WRK_SCRIPT = ROOT / "bench" / "wrk.lua"
SERVER = os.environ.get("BENCH_DATABASE_SERVER", "postgres://postgres@127.0.0.1:5432")
PREFIX = os.environ.get("BENCH_DATABASE_PREFIX", "trainingscatalogus_bench")

# The in-process budgets of issue 17 (medians at the largest size, no page cache), and the
# figures the issue measured before, at 10 000 and at 100 courses (median ms, SQL part).
PAGE_BUDGETS_MS = {
    "home": 4,
    "catalogue": 10,
    "catalogue_filters": 10,
    "catalogue_search": 15,
    "detail": 4,
    "enrolment": 5,
}
BEFORE = {
    10_000: {
        "bare": (0.5, None),
        "home": (28, 17),
        "catalogue": (151, 116),
        "catalogue_filters": (94, 50),
        "catalogue_search": (108, 60),
        "detail": (26, 6),
        "enrolment": (20, 7),
    },
    100: {"catalogue": (44, None), "detail": (22, None)},
}
PAGE_LABELS = {
    "bare": "bare view (all middleware)",
    "home": "home",
    "catalogue": "catalogue",
    "catalogue_filters": "catalogue with filters",
    "catalogue_search": "catalogue search",
    "detail": "course page",
    "detail_again": "course page shown before (10 popular ones)",
    "enrolment": "enrolment POST",
}
# Requests per page in-process (smoke: SMOKE_PAGE_COUNT), and paths per page for wrk.
PAGE_COUNT = 120
SMOKE_PAGE_COUNT = 10
WRK_PATHS = 1000
SEED = 17

BUDGETS = {
    "facet_index_build_ms": 1000,
    "facet_index_mb": 10,
    "queries": {
        "catalogue": 12,
        "catalogue_filters": 12,
        "catalogue_search": 12,
        "detail": 10,
        "home": 8,
    },
    "catalogue_p95_ms": 100,
    "detail_p95_ms": 50,
    "catalogue_ratio": 0.25,
    "detail_ratio": 0.40,
    "growth": 2.0,
    "enrolments_per_second": 200,
    "enrolment_request_ms": PAGE_BUDGETS_MS["enrolment"],
    "mail_delivered_seconds": 10,
    # A mail server that never answers "changes neither figure": within this share (noise).
    "tarpit_tolerance": 0.10,
    "csv_seconds": 10,
    "xlsx_seconds": 60,
    "export_peak_mb": 200,
}


def log(message: str) -> None:
    print(f"[bench] {message}", flush=True)


def database_url(size: int) -> str:
    return f"{SERVER}/{db_name(size)}"


def db_name(size: int) -> str:
    return f"{PREFIX}_{size}"


# The SMTP server of this run (MailServer.url), once started: every process the benchmark
# starts mails there unless told otherwise.
MAIL_URL = ""


def env_for(size: int, **extra) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "DATABASE_URL", "EMAIL_", "REDIS_URL", "TASK_QUEUE_"))
    }
    env.update(
        DATABASE_URL=database_url(size),
        DJANGO_SETTINGS_MODULE="catalogue.settings",
        DJANGO_DEBUG="0",
        DJANGO_HTTPS="0",
        DJANGO_SECRET_KEY=extra.pop("secret", secrets.token_urlsafe(50)),
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost,testserver",
        DJANGO_RATELIMIT_POSTS="100000000",
        DJANGO_LOG_LEVEL="WARNING",
    )
    if MAIL_URL:
        env["EMAIL_URL"] = MAIL_URL
    env.update(extra)
    return env


def manage(size: int, *args: str, **extra) -> str:
    result = subprocess.run(
        [PYTHON, "manage.py", *args],
        cwd=ROOT,
        env=env_for(size, **extra),
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{result.stderr}")
    return result.stdout


def psql(sql: str, database: str = "postgres") -> str:
    result = subprocess.run(
        ["psql", f"{SERVER}/{database}", "-tAc", sql], capture_output=True, text=True
    )
    if result.returncode != 0:
        raise RuntimeError(f"psql failed: {sql}\n{result.stderr}")
    return result.stdout.strip()


def prepare_database(size: int, sessions_per_course: int, enrolments_per_session: int) -> dict:
    name = db_name(size)
    if psql(f"SELECT 1 FROM pg_database WHERE datname = '{name}'") != "1":
        psql(f'CREATE DATABASE "{name}"')
    manage(size, "migrate", "--no-input")
    courses = int(psql("SELECT count(*) FROM trainings_course", name))
    if courses < size:
        log(f"filling the {size}-course database")
        manage(size, "loaddata", "catalogue")
        # loaddata writes rows without the search data; the generated courses bring their own.
        manage(size, "update_search_index")
        manage(
            size,
            "generate_catalogue",
            "--clear",
            "--courses",
            str(size),
            "--sessions-per-course",
            str(sessions_per_course),
            "--enrolments-per-session",
            str(enrolments_per_session),
        )
    elif psql("SELECT count(*) FROM trainings_course WHERE search_text = ''", name) != "0":
        # A database filled before the benchmark refreshed the search data of the real
        # catalogue's courses (their words found nothing).
        log(f"refreshing the search data of the {size}-course database")
        manage(size, "update_search_index")
    return {
        "courses": int(psql("SELECT count(*) FROM trainings_course", name)),
        "sessions": int(psql("SELECT count(*) FROM trainings_session", name)),
        "enrolments": int(psql("SELECT count(*) FROM enrolments_enrolment", name)),
    }


def sample(size: int) -> dict:
    """Sessions the enrolments use, read from the benchmark database."""
    sessions = psql(
        "SELECT string_agg(id::text, ',') FROM (SELECT s.id FROM trainings_session s "
        "JOIN trainings_course c ON c.id = s.course_id WHERE c.is_published "
        "AND s.status <> 'cancelled' AND s.starts_at > now() + interval '30 days' "
        "AND coalesce(s.registration_deadline, s.starts_at) > now() + interval '1 day' "
        "ORDER BY s.id LIMIT 100) x",
        db_name(size),
    ).split(",")
    return {"sessions": sessions}


# The pages wrk measures; "bare" is /healthz there (gunicorn serves the project's URLconf).
WRK_PAGES = ("bare", "home", "catalogue", "catalogue_filters", "catalogue_search", "detail")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    def __init__(
        self,
        size: int,
        static_root: Path,
        workers: int,
        logs: Path,
        redis: str,
        cache_pages: bool = False,
        name: str = "",
        **env: str,
    ):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.workers = workers
        mode = name or ("cached" if cache_pages else "uncached")
        extra = {
            "DJANGO_STATIC_ROOT": str(static_root),
            "GUNICORN_ACCESSLOG": str(logs / f"access-{size}-{mode}.log"),
            "DJANGO_CACHE_PAGES": "1" if cache_pages else "0",
            **env,
        }
        if redis:
            extra.update(REDIS_URL=redis, DJANGO_CACHE_PREFIX=f"bench-{secrets.token_hex(4)}")
        self.log = open(logs / f"gunicorn-{size}-{mode}.log", "w")  # noqa: SIM115 (closed in stop)
        self.process = subprocess.Popen(
            [
                str(GUNICORN),
                "catalogue.wsgi",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                str(workers),
                "--config",
                str(ROOT / "gunicorn.conf.py"),
            ],
            cwd=ROOT,
            env=env_for(size, **extra),
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(self.url + "/healthz", timeout=2):
                    return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"gunicorn did not start, see {logs}")

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)
        self.log.close()


def worker_command() -> list[str]:
    """The Procfile's `worker` line, run by this Python."""
    for line in (ROOT / "Procfile").read_text().splitlines():
        if line.startswith("worker:"):
            command = shlex.split(line.split(":", 1)[1])
            return [PYTHON if command[0] == "python" else command[0], *command[1:]]
    raise RuntimeError("the Procfile has no worker line")


class Worker:
    """The task worker (`manage.py run_huey`, as the Procfile runs it) for one database."""

    def __init__(self, size: int, logs: Path, name: str, email_url: str, **env: str):
        self.name = name
        self.log = open(logs / f"{name}-{size}.log", "w")  # noqa: SIM115 (closed in stop)
        self.process = subprocess.Popen(
            worker_command(),
            cwd=ROOT,
            env=env_for(size, EMAIL_URL=email_url, **env),
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )

    def wait_until_up(self, size: int, timeout: float = 60) -> None:
        """Until Huey's tables exist in the database (the consumer makes them when it starts,
        before it runs a task)."""
        deadline = time.monotonic() + timeout
        while psql("SELECT to_regclass('public.task') IS NOT NULL", db_name(size)) != "t":
            self.check_alive()
            if time.monotonic() > deadline:
                raise RuntimeError(f"{self.name} did not start within {timeout:.0f} s")
            time.sleep(0.2)

    def check_alive(self) -> None:
        if self.process.poll() is not None:
            self.log.flush()
            tail = Path(self.log.name).read_text()[-3000:]
            raise RuntimeError(f"{self.name} exited ({self.process.returncode}):\n{tail}")

    def stop(self, timeout: float = 180) -> bool:
        """Stop the way an operator would (SIGINT: Huey finishes the tasks it holds, each
        bounded by EMAIL_TIMEOUT); True if it stopped by itself, False if it had to be killed."""
        graceful = True
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                log(f"{self.name} did not stop within {timeout:.0f} s: killed")
                self.process.kill()
                self.process.wait()
                graceful = False
        self.log.close()
        return graceful


class MailServer:
    """A real SMTP server on loopback (aiosmtpd, a thread of this process) that accepts every
    message and counts them per recipient."""

    def __init__(self):
        try:
            from aiosmtpd.controller import Controller
        except ImportError:
            sys.exit("aiosmtpd is missing: make install-dev")
        self.received: Counter[str] = Counter()
        self.lock = threading.Lock()
        self.controller = Controller(self, hostname="127.0.0.1", port=free_port())
        self.controller.start()
        self.url = f"smtp://127.0.0.1:{self.controller.port}"

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.received.update(address.lower() for address in envelope.rcpt_tos)
        return "250 OK"

    def counts(self) -> Counter[str]:
        with self.lock:
            return Counter(self.received)

    def stop(self) -> None:
        self.controller.stop()


class Tarpit:
    """A mail server that accepts connections and never says a word."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(512)
        self.sock.settimeout(0.2)
        self.url = f"smtp://127.0.0.1:{self.sock.getsockname()[1]}"
        self.held: list[socket.socket] = []
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._hold, daemon=True)
        self.thread.start()

    def _hold(self) -> None:
        while not self.stopped.is_set():
            try:
                connection, _address = self.sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.held.append(connection)

    def stop(self) -> None:
        self.stopped.set()
        self.thread.join()
        self.sock.close()
        for connection in self.held:
            connection.close()


def wrk(url: str, path: str, seconds: float, connections: int, **env) -> dict:
    command = [
        "wrk",
        "-t1",
        f"-c{connections}",
        f"-d{max(1, round(seconds))}s",
        "--timeout",
        "10s",
        "-s",
        str(WRK_SCRIPT),
        url + path,
    ]
    output = subprocess.run(
        command, check=True, capture_output=True, text=True, env={**os.environ, **env}
    ).stdout
    result = json.loads(re.search(r"RESULT (\{.*\})", output).group(1))
    result["rps"] = result["requests"] / result["seconds"]
    return result


def measure_pages(
    server: Server, paths: dict[str, Path], seconds: float, smoke: bool = False
) -> dict:
    """wrk on every page, each request a random path of the page's kind (bench/wrk.lua).

    The smoke run only checks that every page answers: 2 s a page, without warm-up, on as
    many connections as workers, so a slow page (rendered on every request, on a busy CI
    machine) still answers within the run instead of queueing behind 8 connections."""
    results = {}
    for name in WRK_PAGES:
        env = {"PATHS_FILE": str(paths[name])} if name in paths else {}
        path = "/healthz" if name == "bare" else "/"
        if smoke:
            results[name] = wrk(server.url, path, 2, server.workers, **env)
        else:
            wrk(server.url, path, max(1.0, seconds / 3), 8, **env)  # warm up
            results[name] = wrk(server.url, path, seconds, 8, **env)
        log(
            f"{name:18} {results[name]['rps']:8.0f} req/s  p50 {results[name]['p50']:6.1f} ms"
            f"  p95 {results[name]['p95']:6.1f} ms  errors {results[name]['non2xx']}"
        )
    bare = results["bare"]["rps"]
    for result in results.values():
        result["ratio"] = result["rps"] / bare
    return results


def enrolment_race(server: Server, size: int, found: dict, seconds: float) -> dict:
    name = db_name(size)
    before = int(psql("SELECT count(*) FROM enrolments_enrolment", name))
    result = wrk(server.url, "/", seconds, 20, ENROL=",".join(found["sessions"]))
    ended = time.monotonic()
    after = int(psql("SELECT count(*) FROM enrolments_enrolment", name))
    overbooked = int(
        psql(
            "SELECT count(*) FROM (SELECT s.id FROM trainings_session s "
            "JOIN enrolments_enrolment e ON e.session_id = s.id AND e.status = 'registered' "
            "GROUP BY s.id, s.capacity "
            "HAVING count(*) > s.capacity) x",
            name,
        )
    )
    result.update(
        created=after - before,
        overbooked=overbooked,
        per_second=(after - before) / result["seconds"],
        ended=ended,
        outbox_last=outbox_last_id(size),
    )
    log(
        f"enrolment POSTs: {result['per_second']:.0f} enrolments/s, p95 {result['p95']:.1f} ms,"
        f" errors {result['non2xx'] + result['errors']}, overbooked sessions {overbooked}"
    )
    return result


# Outbox rows still to be sent: queued, being sent, or failed and waiting for another try.
WAITING = "status IN ('pending', 'sending', 'failed')"
# Rows that are meant to reach a mail server (not suppressed repeats, not erased people).
TO_SEND = "status IN ('pending', 'sending', 'failed', 'sent')"


def outbox_last_id(size: int) -> int:
    return int(psql("SELECT coalesce(max(id), 0) FROM enrolments_queuedemail", db_name(size)))


def outbox_statuses(size: int, first: int, last: int) -> dict[str, int]:
    """How many outbox rows with first < id <= last have each status."""
    rows = psql(
        "SELECT status || ':' || count(*) FROM enrolments_queuedemail "
        f"WHERE id > {first} AND id <= {last} GROUP BY status",
        db_name(size),
    )
    return {k: int(v) for k, v in (line.split(":") for line in rows.splitlines() if line)}


def queue_length(size: int) -> int:
    """Tasks waiting in Huey's queue (its table in the same database; 0 before first use)."""
    name = db_name(size)
    if psql("SELECT to_regclass('public.task') IS NOT NULL", name) != "t":
        return 0
    return int(psql("SELECT count(*) FROM task", name))


def mail_delivery(
    size: int,
    mail: MailServer,
    worker: Worker,
    first: int,
    last: int,
    since: float,
    timeout: float,
) -> dict:
    """Watch the outbox rows first < id <= last until none waits to be sent (at most
    `timeout` s); then compare with what the SMTP server received, recipient by recipient.
    `seconds` counts from `since` (time.monotonic()); None if they were not all sent."""
    name = db_name(size)
    deadline = since + timeout
    backlog = None
    while True:
        waiting = int(
            psql(
                f"SELECT count(*) FROM enrolments_queuedemail "
                f"WHERE id > {first} AND id <= {last} AND {WAITING}",
                name,
            )
        )
        now = time.monotonic()
        if backlog is None:
            backlog = waiting
        if waiting == 0 or now > deadline:
            break
        worker.check_alive()
        time.sleep(0.2)
    expected = Counter()
    for line in psql(
        "SELECT lower(\"to\") || ' ' || count(*) FROM enrolments_queuedemail "
        f'WHERE id > {first} AND id <= {last} AND {TO_SEND} GROUP BY lower("to")',
        name,
    ).splitlines():
        address, n = line.rsplit(" ", 1)
        expected[address] = int(n)
    received = mail.counts()
    duplicates = sum(max(0, received[a] - n) for a, n in expected.items())
    missing = sum(max(0, n - received[a]) for a, n in expected.items())
    result = {
        "queued": sum(expected.values()),
        "backlog": backlog,
        "waiting": waiting,
        "seconds": now - since if waiting == 0 else None,
        "duplicates": duplicates,
        "missing": missing,
        "statuses": outbox_statuses(size, first, last),
    }
    log(
        f"mail: {result['queued']} queued, {backlog} still to send when watching began; "
        + (
            f"all sent after {result['seconds']:.1f} s"
            if waiting == 0
            else f"{waiting} not sent after {timeout:.0f} s"
        )
        + f"; at the SMTP server: {missing} missing, {duplicates} duplicates"
    )
    return result


def request_work(
    size: int, found: dict, static_root: Path, count: int, redis: str, **env: str
) -> dict:
    """Median time of one enrolment POST through the middleware, in-process (see
    bench/enrolment_timing.py), with the settings of the gunicorn under test (no page cache;
    the same Redis, if any, for cache, sessions and rate limits) against the bench database."""
    wanted = {"sessions": found["sessions"], "count": count, "tag": secrets.token_hex(4)}
    env = {"DJANGO_CACHE_PAGES": "0", **cache_env(redis), **env}
    result = bench_script(
        size, "enrolment_timing.py", wanted, DJANGO_STATIC_ROOT=str(static_root), **env
    )
    log(
        f"enrolment POST in-process: median {result['median_ms']:.1f} ms "
        f"(SQL {result['sql_ms']:.1f}, queueing the mail {result['queue_ms']:.1f}, "
        f"other {result['other_ms']:.1f}; {result['queries']:.0f} queries; "
        f"CPU {result['cpu_ms']:.1f}), "
        f"p95 {result['p95_ms']:.1f} ms, statuses {result['statuses']}"
    )
    return result


def catch_up(size: int, worker: Worker) -> dict:
    """Before measuring: decide the sessions whose deadline passed since the database was
    filled (the worker would do it at the next minute, in the middle of a measurement) and
    wait until the running worker has sent every mail that is due, so the measurements see
    only their own mail."""
    worker.wait_until_up(size)
    first = outbox_last_id(size)
    started = time.monotonic()
    manage(size, "decide_sessions")
    deadline = started + 600
    name = db_name(size)
    while time.monotonic() < deadline:
        due = int(
            psql(
                f"SELECT count(*) FROM enrolments_queuedemail WHERE {WAITING} "
                "AND attempts < 8 AND next_attempt_at <= now()",
                name,
            )
        )
        if due == 0 and queue_length(size) == 0:
            break
        worker.check_alive()
        time.sleep(0.5)
    else:
        raise RuntimeError("the worker did not catch up with the outbox within 10 minutes")
    result = {
        "mails": sum(outbox_statuses(size, first, outbox_last_id(size)).values()),
        "seconds": time.monotonic() - started,
    }
    log(f"catch-up: {result['mails']} mails of decided sessions sent in {result['seconds']:.0f} s")
    return result


def release_leftovers(size: int) -> int:
    """Mail an interrupted earlier run left behind (claimed by a killed worker, or waiting for
    its backoff): due now. Run while no worker runs."""
    return int(
        psql(
            "WITH due AS (UPDATE enrolments_queuedemail SET status = 'failed', "
            "claimed_at = NULL, next_attempt_at = now() "
            "WHERE status IN ('sending', 'failed') AND attempts < 8 RETURNING 1) "
            "SELECT count(*) FROM due",
            db_name(size),
        )
    )


def export_figures(size: int, rows: int) -> list[dict]:
    output = subprocess.run(
        [PYTHON, "bench/export_memory.py", "--rows", str(rows), "--existing"],
        cwd=ROOT,
        env=env_for(size),
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    figures = []
    for line in output.splitlines():
        cells = [c.strip() for c in line.strip("|").split("|")]
        if len(cells) == 6 and cells[0] in {"CSV", "XLSX"}:
            figures.append(
                {
                    "format": cells[0],
                    "rows": cells[1],
                    "seconds": float(cells[2]),
                    "peak_mb": float(cells[3]),
                    "before_mb": float(cells[4]),
                }
            )
    return figures


def bench_script(size: int, script: str, wanted: dict, **env: str) -> dict:
    """Run bench/<script> against the size's database; its last line of output is JSON."""
    result = subprocess.run(
        [PYTHON, f"bench/{script}", json.dumps(wanted)],
        cwd=ROOT,
        env=env_for(size, **env),
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        raise RuntimeError(f"bench/{script} failed:\n{result.stderr[-5000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def cache_env(redis: str) -> dict[str, str]:
    """The cache of the gunicorn under test: Redis (a prefix of its own) when the run has it."""
    if not redis:
        return {}
    return {"REDIS_URL": redis, "DJANGO_CACHE_PREFIX": f"bench-{secrets.token_hex(4)}"}


def page_timing(size: int, static_root: Path, count: int, redis: str, warm_up: int = 5) -> dict:
    """Every page in-process without the page cache, on varying requests, and the facet
    index build (bench/page_timing.py)."""
    result = bench_script(
        size,
        "page_timing.py",
        {"count": count, "seed": SEED, "warm_up": warm_up},
        DJANGO_CACHE_PAGES="0",
        DJANGO_STATIC_ROOT=str(static_root),
        **cache_env(redis),
    )
    bare = result["pages"]["bare"]["median_ms"]
    for name, page in result["pages"].items():
        log(
            f"in-process {name:18} median {page['median_ms']:6.1f} ms "
            f"(SQL {page['sql_ms']:5.1f}, Python {page['python_ms']:5.1f}; "
            f"{page['queries']:.0f} queries; {page['median_ms'] / bare:5.0f}× bare)  "
            f"p95 {page['p95_ms']:6.1f} ms  {page['distinct']} distinct requests, "
            f"{page['errors']} errors"
        )
    index = result["facet_index"]
    if index["available"]:
        log(
            f"facet index: build {index['median_ms']:.0f} ms (median of {index['builds']}), "
            f"holds {index['held_mb']:.1f} MB, peak {index['peak_mb']:.1f} MB while building"
        )
    else:
        log(f"facet index: not available ({index['reason']})")
    return result


def wrk_paths(size: int, static_root: Path, folder: Path) -> dict[str, Path]:
    """A file of random paths per page kind for wrk, drawn like the in-process requests."""
    drawn = bench_script(
        size,
        "page_timing.py",
        {"paths": WRK_PATHS, "seed": SEED + 1},
        DJANGO_STATIC_ROOT=str(static_root),
    )["paths"]
    files = {}
    for kind, paths in drawn.items():
        files[kind] = folder / f"paths-{size}-{kind}.txt"
        files[kind].write_text("\n".join(paths) + "\n")
    return files


def redis_url() -> str:
    url = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")
    if not url:
        return ""
    try:
        import redis

        redis.Redis.from_url(url, socket_timeout=1).ping()
        return url
    except Exception:  # no Redis: each worker keeps its own cache
        return ""


def run_size(size: int, args, static_root: Path, logs: Path, redis: str, mail: MailServer) -> dict:
    data = prepare_database(size, args.sessions_per_course, args.enrolments_per_session)
    found = sample(size)
    load = os.getloadavg()[0]
    # First, while nothing else of the benchmark runs: the in-process timing.
    timing_pages = page_timing(
        size, static_root, args.page_count, redis, warm_up=2 if args.smoke else 5
    )
    paths = wrk_paths(size, static_root, logs)
    workers = args.workers or os.cpu_count() or 2
    released = release_leftovers(size)
    worker = Worker(size, logs, "worker", mail.url)
    try:
        caught_up = catch_up(size, worker)
        caught_up["released"] = released
        server = Server(size, static_root, workers, logs, redis)
        try:
            results = measure_pages(server, paths, args.seconds, smoke=args.smoke)
            first = outbox_last_id(size)
            timing = request_work(size, found, static_root, args.timing_count, redis)
            race = enrolment_race(server, size, found, args.seconds)
            race["mail"] = mail_delivery(
                size, mail, worker, first, race["outbox_last"], race["ended"], args.mail_timeout
            )
        finally:
            server.stop()
    finally:
        worker.stop()
    cached = {}
    if args.page_cache:
        log(f"{size} courses: the same pages with the page cache on (DJANGO_CACHE_PAGES=1)")
        server = Server(size, static_root, workers, logs, redis, cache_pages=True, name="cached")
        try:
            cached = measure_pages(server, paths, args.seconds)
        finally:
            server.stop()
    tarpit = tarpit_run(size, args, static_root, logs, redis, found, mail, workers)
    return {
        "size": size,
        "data": data,
        "page_timing": timing_pages,
        "queries": {
            name: page["max_queries"]
            for name, page in timing_pages["pages"].items()
            if name != "bare"  # under load the bare view is /healthz, not bench/urls.py's
        },
        "pages": results,
        "cached": cached,
        "timing": timing,
        "race": race,
        "tarpit": tarpit,
        "catch_up": caught_up,
        "workers": workers,
        "load": load,
    }


def tarpit_run(
    size: int, args, static_root: Path, logs: Path, redis: str, found: dict, mail, workers: int
) -> dict:
    """The enrolment figures again with a mail server that accepts connections and never
    answers (EMAIL_TIMEOUT=2 s); then the server "comes back": a fresh worker at the real
    SMTP server, the failed rows made due as the admin's "send again" does, and everything
    queued meanwhile must go out once."""
    log(f"{size} courses: again with a mail server that never answers")
    tarpit = Tarpit()
    env = {"EMAIL_URL": tarpit.url, "EMAIL_TIMEOUT": "2"}
    first = outbox_last_id(size)
    try:
        worker = Worker(size, logs, "worker-tarpit", tarpit.url, EMAIL_TIMEOUT="2")
        try:
            worker.wait_until_up(size)
            server = Server(size, static_root, workers, logs, redis, name="tarpit", **env)
            try:
                timing = request_work(size, found, static_root, args.timing_count, redis, **env)
                race = enrolment_race(server, size, found, args.seconds)
                with urllib.request.urlopen(server.url + "/healthz", timeout=10) as response:
                    healthz = response.status
            finally:
                server.stop()
        finally:
            stopped = time.monotonic()
            graceful = worker.stop()
            stop_seconds = time.monotonic() - stopped
    finally:
        tarpit.stop()
    last = race["outbox_last"]
    during = outbox_statuses(size, first, last)
    made_due = int(
        psql(
            "WITH due AS (UPDATE enrolments_queuedemail SET next_attempt_at = now() "
            f"WHERE id > {first} AND id <= {last} AND status = 'failed' RETURNING 1) "
            "SELECT count(*) FROM due",
            db_name(size),
        )
    )
    log(
        f"with the tarpit: {during}; worker stopped in {stop_seconds:.0f} s"
        f"{'' if graceful else ' (killed)'}; {made_due} failed mails made due"
    )
    started = time.monotonic()
    worker = Worker(size, logs, "worker-after-tarpit", mail.url)
    try:
        delivery = mail_delivery(size, mail, worker, first, last, started, args.mail_timeout)
    finally:
        worker.stop()
    return {
        "timing": timing,
        "race": race,
        "healthz": healthz,
        "during": during,
        "worker_stopped_gracefully": graceful,
        "worker_stop_seconds": stop_seconds,
        "made_due": made_due,
        "mail": delivery,
    }


def page_checks(size: int, small: dict, large: dict, key: str, label: str) -> list:
    pages_, before = large[key], small[key]
    if not pages_["catalogue"]["requests"] or not pages_["detail"]["requests"]:
        return [(f"{size} courses: catalogue and detail answered{label}", False, "no answers")]
    growth = pages_["catalogue"]["p50"] / before["catalogue"]["p50"]
    return [
        (
            f"{size} courses: catalogue p95 ≤ {BUDGETS['catalogue_p95_ms']} ms{label}",
            pages_["catalogue"]["p95"] <= BUDGETS["catalogue_p95_ms"],
            f"{pages_['catalogue']['p95']:.1f} ms",
        ),
        (
            f"{size} courses: course detail p95 ≤ {BUDGETS['detail_p95_ms']} ms{label}",
            pages_["detail"]["p95"] <= BUDGETS["detail_p95_ms"],
            f"{pages_['detail']['p95']:.1f} ms",
        ),
        (
            f"{size} courses: catalogue throughput ≥ 25 % of the bare view{label}",
            pages_["catalogue"]["ratio"] >= BUDGETS["catalogue_ratio"],
            f"{pages_['catalogue']['ratio']:.0%}",
        ),
        (
            f"{size} courses: detail throughput ≥ 40 % of the bare view{label}",
            pages_["detail"]["ratio"] >= BUDGETS["detail_ratio"],
            f"{pages_['detail']['ratio']:.0%}",
        ),
        (
            f"{small['size']} → {size} courses: catalogue latency grows < 2×{label}",
            growth < BUDGETS["growth"],
            f"p50 {before['catalogue']['p50']:.1f} → {pages_['catalogue']['p50']:.1f} ms "
            f"({growth:.2f}×)",
        ),
    ]


def delivered_once(mail: dict) -> tuple[bool, str]:
    ok = mail["waiting"] == 0 and mail["missing"] == 0 and mail["duplicates"] == 0
    return ok, (
        f"{mail['queued']} queued, {mail['waiting']} unsent, {mail['missing']} missing, "
        f"{mail['duplicates']} duplicates at the SMTP server"
    )


def mail_checks(run: dict) -> list[tuple[str, bool, str]]:
    """Correctness of the mail pipeline (also in the smoke run): every mail the race queued
    reaches the SMTP server exactly once, also after a mail server that never answered."""
    size, tarpit = run["size"], run["tarpit"]
    errors = tarpit["race"]["non2xx"] + tarpit["race"]["errors"]
    return [
        (
            f"{size} courses: every mail of the race delivered once",
            *delivered_once(run["race"]["mail"]),
        ),
        (
            f"{size} courses, mail server not answering: enrolment POSTs without errors, "
            "no session overbooked, /healthz answers",
            errors == 0 and tarpit["race"]["overbooked"] == 0 and tarpit["healthz"] == 200,
            f"{errors} errors, {tarpit['race']['overbooked']} overbooked, "
            f"/healthz {tarpit['healthz']}",
        ),
        (
            f"{size} courses: mail queued while the server did not answer goes out once "
            "when it is back",
            *delivered_once(tarpit["mail"]),
        ),
    ]


def speed_checks(run: dict) -> list[tuple[str, bool, str]]:
    """The targets of issue 15 at the largest size (the request work of an enrolment is
    in timing_checks, with issue 17's budget)."""
    size, race, timing = run["size"], run["race"], run["timing"]
    tarpit, slack = run["tarpit"], BUDGETS["tarpit_tolerance"]
    seconds = race["mail"]["seconds"]
    return [
        (
            f"{size} courses: ≥ {BUDGETS['enrolments_per_second']} enrolments per second "
            f"({run['workers']} workers)",
            race["per_second"] >= BUDGETS["enrolments_per_second"],
            f"{race['per_second']:.0f}/s",
        ),
        (
            f"{size} courses: every mail sent ≤ {BUDGETS['mail_delivered_seconds']} s after "
            "the last enrolment",
            seconds is not None and seconds <= BUDGETS["mail_delivered_seconds"],
            "not all sent" if seconds is None else f"{seconds:.1f} s",
        ),
        (
            f"{size} courses, mail server not answering: enrolments per second within {slack:.0%}",
            tarpit["race"]["per_second"] >= race["per_second"] * (1 - slack),
            f"{race['per_second']:.0f} → {tarpit['race']['per_second']:.0f}/s",
        ),
        (
            f"{size} courses, mail server not answering: request work within {slack:.0%}",
            tarpit["timing"]["median_ms"] <= timing["median_ms"] * (1 + slack),
            f"{timing['median_ms']:.1f} → {tarpit['timing']['median_ms']:.1f} ms",
        ),
    ]


def split_text(name: str, figures: dict) -> str:
    """A median with its parts: SQL and Python (the enrolment: queueing the mail apart)."""
    text = f"{figures['median_ms']:.1f} ms (SQL {figures['sql_ms']:.1f}, "
    if name == "enrolment":
        text += f"queueing {figures['queue_ms']:.1f}, other {figures['other_ms']:.1f}"
    else:
        text += f"Python {figures['python_ms']:.1f}"
    return text + f"; {figures['queries']:.0f} queries)"


def timing_figures(run: dict) -> dict[str, dict]:
    """The in-process figures of every page, the enrolment POST (enrolment_timing) last."""
    return {**run["page_timing"]["pages"], "enrolment": run["timing"]}


def index_mb(index: dict) -> float:
    """What a process keeps for the facet index: the larger of the size of the built object
    and what tracemalloc still counted when a build returned."""
    return max(index["held_mb"], index["kept_mb"])


def index_memory_text(index: dict) -> str:
    return (
        f"{index_mb(index):.1f} MB (the index object and all it references "
        f"{index['held_mb']:.1f} MB; still allocated after a build {index['kept_mb']:.1f} MB, "
        f"at the peak of a build {index['peak_mb']:.1f} MB, tracemalloc)"
    )


def timing_checks(run: dict) -> list[tuple[str, bool | None, str]]:
    """The budgets of issue 17: in-process medians without the page cache, the facet index."""
    size, figures = run["size"], timing_figures(run)
    checks = []
    for name, limit in PAGE_BUDGETS_MS.items():
        checks.append(
            (
                f"{size} courses: {PAGE_LABELS[name]} ≤ {limit} ms "
                "(in-process median, no page cache)",
                figures[name]["median_ms"] <= limit,
                split_text(name, figures[name]),
            )
        )
    index = run["page_timing"]["facet_index"]
    build = (
        f"{size} courses: facet index build ≤ {BUDGETS['facet_index_build_ms'] / 1000:g} s "
        "(median of 3)"
    )
    memory = f"{size} courses: facet index holds ≤ {BUDGETS['facet_index_mb']} MB"
    if not index["available"]:
        return [*checks, (build, None, "not available"), (memory, None, "not available")]
    return [
        *checks,
        (
            build,
            index["median_ms"] <= BUDGETS["facet_index_build_ms"],
            f"{index['median_ms']:.0f} ms (SQL {index['sql_ms']:.0f} ms, "
            f"{index['queries']:.0f} queries; slowest of {index['builds']} "
            f"{index['max_ms']:.0f} ms)",
        ),
        (
            memory,
            index_mb(index) <= BUDGETS["facet_index_mb"],
            index_memory_text(index),
        ),
    ]


def check(report: dict, smoke: bool) -> list[tuple[str, bool | None, str]]:
    """Every budget with whether it was met (None: not measured) and the measured figure."""
    checks = []
    for run in report["runs"]:
        for page, limit in BUDGETS["queries"].items():
            value = run["queries"][page]
            checks.append(
                (
                    f"{run['size']} courses: {page} queries ≤ {limit} (the most of any request)",
                    value <= limit,
                    str(value),
                )
            )
        timed = run["page_timing"]["pages"]
        wrong = {
            name: page
            for name, page in timed.items()
            if page["errors"] or page["count"] < run["page_timing"]["count"]
        }
        checks.append(
            (
                f"{run['size']} courses: every page answered 200 in-process "
                f"({run['page_timing']['count']} varying requests a page)",
                not wrong,
                "; ".join(
                    f"{name}: {page['errors']} errors, e.g. {', '.join(page['failures'])}"
                    for name, page in wrong.items()
                )
                or "0 errors",
            )
        )
        failed = {
            name: result["non2xx"] + result["errors"]
            for key in ("pages", "cached")
            for name, result in run.get(key, {}).items()
            if result["non2xx"] + result["errors"] or not result["requests"]
        }
        checks.append(
            (
                f"{run['size']} courses: every page answered 200 under load",
                not failed,
                ", ".join(
                    f"{name}: {n} errors" if n else f"{name}: no answer within the run"
                    for name, n in failed.items()
                )
                or "0",
            )
        )
        race = run["race"]
        checks.append(
            (
                f"{run['size']} courses: enrolment POSTs without errors",
                race["non2xx"] + race["errors"] == 0,
                str(race["non2xx"] + race["errors"]),
            )
        )
        checks.append(
            (
                f"{run['size']} courses: no session overbooked",
                race["overbooked"] == 0,
                str(race["overbooked"]),
            )
        )
        checks += mail_checks(run)
    if smoke:
        return checks
    large = report["runs"][-1]
    small = report["runs"][0]
    checks += timing_checks(large)
    checks += page_checks(large["size"], small, large, "pages", " (wrk, no page cache)")
    if large.get("cached") and small.get("cached"):
        checks += page_checks(
            large["size"], small, large, "cached", " (wrk, with the page cache, informative)"
        )
    checks += speed_checks(large)
    for figure in report.get("exports", []):
        limit = BUDGETS["csv_seconds"] if figure["format"] == "CSV" else BUDGETS["xlsx_seconds"]
        checks.append(
            (
                f"export of {figure['rows']} enrolments as {figure['format']} ≤ {limit} s",
                figure["seconds"] <= limit,
                f"{figure['seconds']:.1f} s",
            )
        )
        checks.append(
            (
                f"export as {figure['format']}: peak memory ≤ {BUDGETS['export_peak_mb']} MB",
                figure["peak_mb"] <= BUDGETS["export_peak_mb"],
                f"{figure['peak_mb']:.0f} MB",
            )
        )
    return checks


def page_table(results: dict, queries: dict, workers: int = 0) -> list[str]:
    head = "| Page | Requests/s | Share of bare view | p50 (ms) | p95 (ms) | Queries | Errors |"
    rule = "|---|---:|---:|---:|---:|---:|---:|"
    if workers:
        head += " Per request (ms) |"
        rule += "---:|"
    lines = [head, rule]
    for name, result in results.items():
        label = "bare (`/healthz`)" if name == "bare" else PAGE_LABELS.get(name, name)
        line = (
            f"| {label} | {result['rps']:.0f} | "
            f"{result['ratio']:.0%} | {result['p50']:.1f} | {result['p95']:.1f} | "
            f"{queries.get(name, '–')} | {result['non2xx'] + result['errors']} |"
        )
        if workers:
            line += f" {workers * 1000 / result['rps']:.0f} |" if result["rps"] else " – |"
        lines.append(line)
    return lines


def ms(value: float) -> str:
    return f"{value:.1f} ms"


def mail_section(report: dict) -> list[str]:
    """Issue 15: enrolment with real mail and the worker, beside the figures from before."""
    runs = report["runs"]
    large = runs[-1]
    sizes = " | ".join(f"{run['size']:,} courses" for run in runs)

    def row(label: str, before: str, cell, target: str = "") -> str:
        return f"| {label} | {before} | " + " | ".join(cell(run) for run in runs) + f" | {target} |"

    def sent(mail: dict) -> str:
        if mail["seconds"] is None:
            return f"{mail['waiting']} of {mail['queued']} not sent"
        return f"{mail['seconds']:.1f} s ({mail['queued']} mails)"

    def once(mail: dict) -> str:
        return f"{mail['duplicates']} duplicates, {mail['missing']} missing"

    def split(timing: dict) -> str:
        return (
            f"{timing['median_ms']:.1f} ms (SQL {timing['sql_ms']:.1f}, queueing "
            f"{timing['queue_ms']:.1f}, other {timing['other_ms']:.1f}; "
            f"{timing['queries']:.0f} queries)"
            + (f"; CPU of the process {timing['cpu_ms']:.1f} ms" if "cpu_ms" in timing else "")
        )

    lines = [
        "## Enrolment with real mail and the worker (issue 15)",
        "",
        "Before: the enrolment request rendered its mail and sent it over SMTP after the "
        "commit. The benchmark used a dummy mail backend, so it never saw that: with a real "
        "SMTP server on loopback an enrolment POST took 75 ms instead of 26, and a mail "
        "server that accepted connections and never answered held every enrolment until "
        "gunicorn killed the worker after 60 s (`/healthz` timed out too). Now the request "
        "stores a `QueuedEmail` and queues a task after the commit; the worker renders and "
        "sends. *Request work* is the median of "
        f"{large['timing']['count']} enrolment POSTs (each a different person) through the "
        "whole middleware stack with Django's test client in one process, production "
        "settings, against the benchmark database: no HTTP, no load generator; SQL is the "
        "time in the queries, *queueing* putting the mail task on the queue after the commit, "
        "*other* the rest: Python, and the cache (Redis: rate limit, page versions, session) "
        "when the run has one; *CPU of the process* is the median CPU time the POST took in "
        "that process (the database's work not included), which a busy machine inflates "
        "much less than the wall time. *Per enrolment under load* is workers ÷ enrolments "
        "per second. "
        "*Tarpit*: a TCP server that accepts and never answers, as `EMAIL_URL` of gunicorn "
        "and of the worker (`EMAIL_TIMEOUT=2`); afterwards the failed rows are made due at "
        "once (`next_attempt_at = now()`, what the admin's *send again* does, instead of "
        "waiting for the 30 s backoff) and a fresh worker at the real SMTP server sends "
        "them; every row still queued is sent by the task queued with it.",
        "",
        f"| Figure | Before | {sizes} | Target |",
        "|---|---|" + "---|" * len(runs) + "---|",
        row(
            "Enrolment POST, request work (in-process median)",
            "26 ms (dummy backend), 75 ms (real SMTP)",
            lambda run: split(run["timing"]),
            f"≤ {BUDGETS['enrolment_request_ms']} ms at 10,000 courses",
        ),
        row(
            "Enrolment POST, request work, p95",
            "–",
            lambda run: ms(run["timing"]["p95_ms"]),
        ),
        row(
            "Enrolments per second (20 clients)",
            "~101 at 10,000 courses (dummy backend)",
            lambda run: f"{run['race']['per_second']:.0f}/s ({run['workers']} workers)",
            f"≥ {BUDGETS['enrolments_per_second']}/s on 2 workers",
        ),
        row(
            "Per enrolment under load (workers ÷ throughput)",
            "20 ms at 10,000 courses",
            lambda run: ms(run["workers"] * 1000 / max(run["race"]["per_second"], 1e-9)),
        ),
        row(
            "Sessions overbooked",
            "0",
            lambda run: str(run["race"]["overbooked"]),
            "0",
        ),
        row(
            "Mail: still to send when the race ended",
            "– (sent in the request)",
            lambda run: str(run["race"]["mail"]["backlog"]),
        ),
        row(
            "Mail: every queued mail sent, after the last enrolment",
            "– (sent in the request)",
            lambda run: sent(run["race"]["mail"]),
            f"≤ {BUDGETS['mail_delivered_seconds']} s",
        ),
        row(
            "Mail at the SMTP server",
            "–",
            lambda run: once(run["race"]["mail"]),
            "0 duplicates",
        ),
        row(
            "Tarpit: request work (in-process median)",
            "60 s (gunicorn timeout)",
            lambda run: split(run["tarpit"]["timing"]),
            "unchanged",
        ),
        row(
            "Tarpit: enrolments per second",
            "none (requests hung 60 s)",
            lambda run: (
                f"{run['tarpit']['race']['per_second']:.0f}/s, p95 "
                f"{run['tarpit']['race']['p95']:.0f} ms"
            ),
            "unchanged",
        ),
        row(
            "Tarpit: `/healthz` right after the race",
            "timed out",
            lambda run: str(run["tarpit"]["healthz"]),
            "200",
        ),
        row(
            "Tarpit: outbox when the worker was stopped",
            "–",
            lambda run: ", ".join(f"{n} {k}" for k, n in sorted(run["tarpit"]["during"].items())),
        ),
        row(
            "Server back: everything queued meanwhile sent",
            "–",
            lambda run: sent(run["tarpit"]["mail"]),
        ),
        row(
            "Server back: at the SMTP server",
            "–",
            lambda run: once(run["tarpit"]["mail"]),
            "0 duplicates",
        ),
        "",
        "Before the measurements of each size the worker catches up: it decides the sessions "
        "whose registration deadline passed since the database was filled and sends their "
        "mail ("
        + ", ".join(
            f"{run['size']:,} courses: {run['catch_up']['mails']} mails, "
            f"{run['catch_up']['seconds']:.0f} s"
            for run in runs
        )
        + "), so each measurement sees only its own mail.",
        "",
    ]
    return lines


def before_text(size: int, name: str) -> str:
    median, sql = BEFORE.get(size, {}).get(name, (None, None))
    if median is None:
        return "–"
    return f"{median:g}" + (f" (SQL {sql:g})" if sql is not None else "")


def primary_table(run: dict) -> list[str]:
    """The work per request in-process, no page cache: issue 17's primary table."""
    figures = timing_figures(run)
    bare = figures["bare"]["median_ms"]
    lines = [
        "| Page | Median (ms) | p95 (ms) | SQL (ms) | Python (ms) | CPU (ms) | Queries "
        "| × bare view | Before (ms) | Budget (ms) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, page in figures.items():
        python = page["other_ms"] + page["queue_ms"] if name == "enrolment" else page["python_ms"]
        budget = PAGE_BUDGETS_MS.get(name)
        lines.append(
            f"| {PAGE_LABELS[name]} | {page['median_ms']:.1f} | {page['p95_ms']:.1f} | "
            f"{page['sql_ms']:.1f} | {python:.1f} | {page['cpu_ms']:.1f} | "
            f"{page['queries']:.0f} | "
            + (f"{page['median_ms'] / bare:.0f}×" if name != "bare" else "1×")
            + f" | {before_text(run['size'], name)} | "
            + (f"≤ {budget}" if budget else "–")
            + " |"
        )
    index = run["page_timing"]["facet_index"]
    if index["available"]:
        text = (
            f"Facet index (`catalogue.public.facet_index.build_index()`): a build takes "
            f"{index['median_ms']:.0f} ms (median of {index['builds']}; SQL "
            f"{index['sql_ms']:.0f} ms in {index['queries']:.0f} queries); memory "
            f"{index_memory_text(index)}; budget ≤ {BUDGETS['facet_index_build_ms'] / 1000:g} "
            f"s and ≤ {BUDGETS['facet_index_mb']} MB."
        )
    else:
        text = f"Facet index: not available in this version ({index['reason']})."
    return [*lines, "", text, ""]


def primary_intro(report: dict) -> str:
    runs = report["runs"]
    count = runs[0]["page_timing"]["count"]
    return (
        "The work one process does per request, without the page cache "
        "(`DJANGO_CACHE_PAGES=0`): Django's test client through the whole middleware stack, "
        "production settings (`DJANGO_DEBUG=0`"
        + (", the Redis cache" if report.get("redis") else ", the local-memory cache")
        + "), against the benchmark database; no HTTP server, network or load generator "
        f"(`bench/page_timing.py`). {count} requests a page, after a warm-up, each drawn "
        f"anew with a fixed seed ({SEED}): the catalogue on page 1–3 in a random order, "
        "with 1–3 facet values drawn from the options the database has (theme, format, "
        "audience, provider, level, price, open, month, city), a search for one or two words "
        "of the course titles (a third with a filter), the page of a random published "
        "course (nearly always one the process has not shown before: rendered in full), and "
        "the page of one of 10 courses drawn once (popular pages, shown before: filled in "
        "from the skeleton kept for them; no budget of its own); the pages take turns, so "
        "a busy moment of the machine costs each alike. "
        "Every request accepts gzip as a browser does, so compressing the HTML is included. "
        "*SQL* is the median time inside the queries, *Python* the median of the rest (wall "
        "− SQL), *CPU* the median CPU time of the process (the database's work not included; "
        "a busy machine inflates it much less than the wall time), *Queries* the median "
        "count; *× bare view* compares the median with a view "
        "that answers `ok` through the same middleware in the same process. The enrolment "
        "POST comes from `bench/enrolment_timing.py` (each POST a different person; its "
        "Python column includes queueing the mail), run while gunicorn and the task worker "
        "idle beside it. *Before*: the same measurement before issue 17, at 10,000 courses "
        "(at 100 courses only the catalogue and course page were measured). The budgets are "
        "checked at the largest size."
    )


def markdown(report: dict, checks) -> str:
    machine = report["machine"]
    lines = [
        "# Performance",
        "",
        f"Measured {report['date']} with `make bench` on {machine['cores']} cores "
        f"({machine['cpu']}), Python {machine['python']}, PostgreSQL {machine['postgres']}. "
        "No figure uses the page cache unless it says so. Load average of the machine when "
        "each size began: "
        + ", ".join(f"{run['size']:,} courses {run['load']:.1f}" for run in report["runs"])
        + f" ({machine['cores']} cores; above that, other work shared the machine).",
        "",
        "## Work per request, in-process",
        "",
        primary_intro(report),
        "",
    ]
    for run in report["runs"]:
        data = run["data"]
        lines += [
            f"### {run['size']:,} courses ({data['sessions']:,} sessions, "
            f"{data['enrolments']:,} enrolments)",
            "",
            *primary_table(run),
        ]
    lines += [
        "## Under load",
        "",
        f"gunicorn with {report['runs'][0]['workers']} workers, `DJANGO_DEBUG=0`, no page "
        f"cache{', Redis cache' if report['redis'] else ', local-memory cache'}; load from wrk "
        f"on the same machine (8 connections, {report['seconds']:.0f} s per page; 20 for "
        "enrolments), each request a random path of the page's kind, drawn like the "
        "in-process requests (1,000 paths a page), accepting gzip as browsers do. Throughput "
        "is also given as a share of "
        "the health check (`/healthz`, two small queries) measured in the same run. *Per "
        "request* is the time one worker spends on one request (workers ÷ throughput); the "
        "latencies are higher because 8 connections queue for the workers. *Queries* is the "
        "most any in-process request of the page ran. Mail goes to a real SMTP server on "
        "loopback (aiosmtpd) through the task worker, which runs beside gunicorn as the "
        "Procfile says; the task queue is in the same PostgreSQL database.",
        "",
    ]
    for run in report["runs"]:
        lines += [f"### {run['size']:,} courses", ""]
        lines += page_table(run["pages"], run["queries"], workers=run["workers"])
        race = run["race"]
        lines += [
            f"| enrolment POST (20 clients) | {race['rps']:.0f} | – | {race['p50']:.1f} | "
            f"{race['p95']:.1f} | – | {race['non2xx'] + race['errors']} | – |",
            "",
            f"Enrolment race: {race['created']:,} enrolments created "
            f"({race['per_second']:.0f} per second), {race['overbooked']} sessions overbooked.",
            "",
        ]
        if run.get("cached"):
            lines += [
                "With the page cache on (`--page-cache`, `DJANGO_CACHE_PAGES=1`), the same "
                "requests:",
                "",
                *page_table(run["cached"], run["queries"], workers=run["workers"]),
                "",
            ]
    lines += mail_section(report)
    if report.get("exports"):
        lines += [
            "## Export of 100 000 enrolments",
            "",
            "| Format | Seconds | Peak RSS (MB) | RSS before (MB) |",
            "|---|---:|---:|---:|",
        ]
        lines += [
            f"| {f['format']} | {f['seconds']:.1f} | {f['peak_mb']:.0f} | {f['before_mb']:.0f} |"
            for f in report["exports"]
        ]
        lines.append("")
    lines += ["## Budgets", "", "| Budget | Result | Measured |", "|---|---|---|"]
    lines += [f"| {name} | {verdict(ok)} | {value} |" for name, ok, value in checks]
    lines.append("")
    notes = list(report.get("notes", []))
    unmeasured = [name for name, ok, _value in checks if ok is None]
    if unmeasured:
        notes.append(
            "Not measured: "
            + "; ".join(unmeasured)
            + " (this version has no `catalogue.public.facet_index.build_index`)."
        )
    if any(ok is False and "in-process" in name for name, ok, _value in checks):
        notes.append(
            "An in-process budget that is missed gives its median split into the time inside "
            "SQL and the Python around it (rendering, the ORM, middleware), with the number of "
            "queries: where the time goes. The median of the bare view in the same process "
            "shows how much of a millisecond the middleware itself costs on this machine."
        )
    large_race = report["runs"][-1]["race"]
    budget = BUDGETS["enrolments_per_second"]
    if large_race and budget <= large_race["per_second"] < budget * 1.15:
        notes.append(
            f"Enrolments per second are within 15 % of the budget ({budget}/s). The two "
            "cores are shared by the gunicorn workers, the task worker sending the mail, "
            "PostgreSQL, the SMTP server and wrk, so a busier machine may measure less."
        )
    busy = [run for run in report["runs"] if run.get("load", 0) > machine["cores"]]
    if busy:
        notes.append(
            "The machine was shared with other work during this run (load average "
            + ", ".join(
                f"{run['load']:.1f} when the {run['size']:,}-course run began" for run in busy
            )
            + f", on {machine['cores']} cores): throughput and latencies are lower than an "
            "idle machine gives, and the comparison of the two enrolment runs (real mail "
            "server and tarpit) is within that noise."
        )
    missed = [name for name, ok, _value in checks if ok is False and "informative" not in name]
    if missed:
        notes.append("Missed budgets: " + "; ".join(missed) + ".")
    if notes:
        lines += ["## Notes", ""] + [f"- {note}" for note in notes] + [""]
    return "\n".join(lines)


def verdict(ok: bool | None) -> str:
    return "not measured" if ok is None else "met" if ok else "**missed**"


def machine() -> dict:
    cpu = platform.processor() or "unknown CPU"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        names = [
            line.split(":", 1)[1].strip()
            for line in cpuinfo.read_text().splitlines()
            if line.startswith("model name")
        ]
        cpu = names[0] if names else cpu
    return {
        "cores": os.cpu_count(),
        "cpu": cpu,
        "python": platform.python_version(),
        "postgres": psql("SHOW server_version").split()[0],
    }


def measure(args, sizes: list[int], redis: str, mail: MailServer) -> dict:
    with tempfile.TemporaryDirectory() as scratch:
        static_root, logs = Path(scratch) / "static", Path(scratch)
        manage(sizes[0], "collectstatic", "--no-input", DJANGO_STATIC_ROOT=str(static_root))
        try:
            return {
                "date": datetime.date.today().isoformat(),
                "machine": machine(),
                "seconds": args.seconds,
                "redis": bool(redis),
                "notes": args.note,
                "runs": [run_size(size, args, static_root, logs, redis, mail) for size in sizes],
            }
        finally:
            if args.keep_logs:
                shutil.copytree(logs, args.keep_logs, dirs_exist_ok=True)


def run_all(args) -> dict:
    sizes = [int(size) for size in args.sizes.split(",")]
    redis = redis_url()
    global MAIL_URL
    mail = MailServer()
    MAIL_URL = mail.url
    try:
        report = measure(args, sizes, redis, mail)
    finally:
        mail.stop()
    if args.export_rows:
        log(f"exporting {args.export_rows} enrolments")
        report["exports"] = export_figures(sizes[-1], args.export_rows)
    return report


def timing_only(args) -> int:
    """The in-process tables alone (pages, facet index, enrolment POST), for a quick look
    while working on speed. The enrolment POSTs queue their mail tasks; with no worker
    running they wait in the queue, and the next `make bench` sends them while it catches
    up."""
    sizes = [int(size) for size in args.sizes.split(",")]
    redis = redis_url()
    runs = []
    with tempfile.TemporaryDirectory() as scratch:
        static_root = Path(scratch) / "static"
        manage(sizes[0], "collectstatic", "--no-input", DJANGO_STATIC_ROOT=str(static_root))
        for size in sizes:
            data = prepare_database(size, args.sessions_per_course, args.enrolments_per_session)
            load = os.getloadavg()[0]
            timing_pages = page_timing(size, static_root, args.page_count, redis)
            timing = request_work(size, sample(size), static_root, args.timing_count, redis)
            runs.append(
                {
                    "size": size,
                    "data": data,
                    "page_timing": timing_pages,
                    "timing": timing,
                    "load": load,
                }
            )
    report = {"redis": bool(redis), "runs": runs}
    lines = [primary_intro(report), ""]
    for run in runs:
        lines += [f"### {run['size']:,} courses (load average {run['load']:.1f})", ""]
        lines += primary_table(run)
    print("\n".join(lines))
    errors = sum(page["errors"] for run in runs for page in run["page_timing"]["pages"].values())
    for name, ok, value in timing_checks(runs[-1]):
        log(f"{verdict(ok).strip('*'):12} {name}: {value}")
    log(f"{errors} requests answered other than 200")
    return 1 if errors else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100,10000")
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--sessions-per-course", type=int, default=5)
    parser.add_argument("--enrolments-per-session", type=int, default=10)
    parser.add_argument("--workers", type=int, default=0, help="default: one per core")
    parser.add_argument("--export-rows", type=int, default=100_000)
    parser.add_argument(
        "--timing-count", type=int, default=100, help="enrolment POSTs timed in-process"
    )
    parser.add_argument(
        "--mail-timeout",
        type=float,
        default=300,
        help="seconds to wait for the worker to send the race's mail",
    )
    parser.add_argument("--output", default=str(ROOT / "docs" / "PERFORMANCE.md"))
    parser.add_argument(
        "--smoke",
        action="store_true",
        help="100 courses, 10 requests a page in-process and 2 s a page under load; check "
        "correctness and query budgets",
    )
    parser.add_argument("--json", help="also write the figures to this file")
    parser.add_argument(
        "--from-json", help="no measuring: write the report from a file written by --json"
    )
    parser.add_argument("--keep-logs", help="copy the server and worker logs to this folder")
    parser.add_argument("--note", action="append", default=[], help="a line for the report")
    parser.add_argument(
        "--page-count",
        type=int,
        default=0,
        help=f"requests per page timed in-process (default {PAGE_COUNT}; smoke {SMOKE_PAGE_COUNT})",
    )
    parser.add_argument(
        "--page-cache",
        action="store_true",
        help="also measure the pages under load with the page cache on (DJANGO_CACHE_PAGES=1)",
    )
    parser.add_argument(
        "--timing-only",
        action="store_true",
        help="only the in-process timing of pages, facet index and enrolment POST: print its "
        "tables and budgets, write nothing (no gunicorn, wrk, worker or mail)",
    )
    args = parser.parse_args()
    if args.smoke:
        args.sizes, args.seconds, args.export_rows, args.page_cache = "100", 1, 0, False
        args.mail_timeout = min(args.mail_timeout, 120)
        args.page_count = args.page_count or SMOKE_PAGE_COUNT
    args.page_count = args.page_count or PAGE_COUNT
    if args.timing_only:
        return timing_only(args)
    if not shutil.which("wrk"):
        sys.exit("wrk is not installed: apt-get install wrk")
    # --from-json: only write the report again from the figures of an earlier run.
    report = json.loads(Path(args.from_json).read_text()) if args.from_json else run_all(args)
    report["notes"] = list(dict.fromkeys([*report.get("notes", []), *args.note]))
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=1))
    checks = check(report, args.smoke)
    for name, ok, value in checks:
        log(f"{verdict(ok).strip('*'):12} {name}: {value}")
    if args.smoke:
        failed = [name for name, ok, _ in checks if ok is False]
        if failed:
            log("smoke run failed: " + "; ".join(failed))
            return 1
        log("smoke run passed (correctness and query budgets; timings are not checked)")
        return 0
    Path(args.output).parent.mkdir(parents=True, exist_ok=True)
    Path(args.output).write_text(markdown(report, checks))
    log(f"written {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
