"""Start the application the production way (gunicorn, DEBUG off) against the test database."""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

from django.db import connection

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = Path(sys.executable).parent / "gunicorn"


def database_url() -> str:
    """The URL of the database the running tests use (their test database)."""
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{settings['NAME']}"
    password = f":{settings['PASSWORD']}" if settings.get("PASSWORD") else ""
    return (
        f"postgres://{settings['USER']}{password}@{settings['HOST'] or '127.0.0.1'}:"
        f"{settings['PORT'] or 5432}/{settings['NAME']}"
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def production_env(static_root: Path, **overrides) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "DATABASE_URL", "EMAIL_", "REDIS_URL"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="catalogue.settings",
        DJANGO_DEBUG="0",
        DJANGO_ENV_FILE="",  # production reads no developer .env
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
        DJANGO_STATIC_ROOT=str(static_root),
        DATABASE_URL=database_url(),
        EMAIL_URL="dummy://",
        DJANGO_LOG_LEVEL="WARNING",
    )
    env.update(overrides)
    return env


def collect_static(static_root: Path) -> None:
    env = production_env(static_root)
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--no-input", "-v", "0"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        timeout=300,
    )


@contextmanager
def gunicorn(static_root: Path, log_dir: Path, *, count: int = 1, workers: int = 2, **overrides):
    """Run `count` gunicorn instances; yields their base URLs.

    Like instances of one deployment, they share a secret key (sessions and signed links
    made by one are valid on the other).
    """
    overrides.setdefault("DJANGO_SECRET_KEY", secrets.token_urlsafe(50))
    processes, urls = [], []
    try:
        for index in range(count):
            port = free_port()
            log = open(log_dir / f"gunicorn-{index}.log", "w")  # noqa: SIM115 (closed below)
            process = subprocess.Popen(
                [
                    str(GUNICORN),
                    "catalogue.wsgi",
                    "--bind",
                    f"127.0.0.1:{port}",
                    "--workers",
                    str(workers),
                    "--config",
                    str(ROOT / "gunicorn.conf.py"),
                ],
                cwd=ROOT,
                env=production_env(static_root, **overrides),
                stdout=log,
                stderr=subprocess.STDOUT,
            )
            processes.append((process, log))
            urls.append(f"http://127.0.0.1:{port}")
        for url in urls:
            wait_until_up(url, log_dir)
        yield urls
    finally:
        for process, log in processes:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
            log.close()


def wait_until_up(url: str, log_dir: Path, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url + "/healthz", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    logs = "\n".join(path.read_text() for path in log_dir.glob("gunicorn-*.log"))
    raise RuntimeError(f"gunicorn at {url} did not start:\n{logs}")


WORKER_COMMAND = [
    "run_huey",
    "--workers",
    "2",
    "--worker-type",
    "thread",
    "--max-delay",
    "1",
    "--flush-locks",
]


@contextmanager
def worker(static_root: Path, log_dir: Path, *, name: str = "worker", **overrides):
    """Run the task worker (`manage.py run_huey`, as the Procfile does) against the test
    database; yields the process (kill it to play a crash)."""
    log = open(log_dir / f"{name}.log", "w")  # noqa: SIM115 (closed below)
    process = subprocess.Popen(
        [sys.executable, "manage.py", *WORKER_COMMAND],
        cwd=ROOT,
        env=production_env(static_root, **overrides),
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        yield process
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        log.close()


def wait_until(condition, timeout: float, interval: float = 0.2):
    """Poll `condition` until it gives something true (returned) or `timeout` seconds pass
    (None)."""
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result or time.monotonic() >= deadline:
            return result or None
        time.sleep(interval)
