"""A newcomer's first steps, verbatim from the README, in a fresh clone with nothing exported.

`make run PORT=…` in a new clone (its own .venv, its own database) must serve the site, and
afterwards every `manage.py` command the README names must work from a plain shell: the local
settings come from the `.env` that `make run` wrote, not from make's environment. Mails must
link to the port the site was started on.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
import urllib.parse
import urllib.request
import uuid
from http.cookiejar import CookieJar
from pathlib import Path

import pytest
from django.db import connection

from tests.servers import free_port

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")

# Run for real after `make run` (the rest of the README's commands are asked for --help, which
# loads the settings just the same: that is where the missing secret key used to fail).
RUN_FOR_REAL = [
    ["createsuperuser", "--no-input", "--username", "newcomer", "--email", "new@example.org"],
    ["decide_sessions"],
    ["send_queued_mail"],
    ["settle_costs"],
    ["purge_personal_data"],
    ["loaddata", "catalogue"],
    ["update_search_index"],
    ["showmigrations", "enrolments"],
    ["shell", "-c", "from django.conf import settings; print('SITE_URL=' + settings.SITE_URL)"],
]


def readme_commands() -> set[str]:
    return set(re.findall(r"manage\.py ([a-z_]+)", README))


def plain_env(**extra: str) -> dict[str, str]:
    """A developer's shell: nothing of this project exported."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DATABASE_URL", "EMAIL_", "REDIS_URL", "SITE_URL"))
        and key not in {"VIRTUAL_ENV", "PYTEST_ADDOPTS", "MAKEFLAGS", "MAKELEVEL", "MFLAGS"}
    }
    env.update(extra)
    return env


@pytest.fixture
def clone_database():
    """SQLite in the clone by default; on a PostgreSQL run, a fresh PostgreSQL database."""
    if connection.vendor != "postgresql":
        yield {}
        return
    import psycopg

    settings = connection.settings_dict
    name = f"tc_readme_{uuid.uuid4().hex[:10]}"
    admin = {
        "host": settings["HOST"] or "127.0.0.1",
        "port": settings["PORT"] or 5432,
        "user": settings["USER"],
        "password": settings["PASSWORD"] or None,
        "dbname": "postgres",
        "autocommit": True,
    }
    with psycopg.connect(**admin) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    password = f":{settings['PASSWORD']}" if settings["PASSWORD"] else ""
    url = f"postgres://{settings['USER']}{password}@{admin['host']}:{admin['port']}/{name}"
    try:
        yield {"DATABASE_URL": url}
    finally:
        with psycopg.connect(**admin) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def wait_for(url: str, process: subprocess.Popen, log: Path, seconds: int) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"make run stopped ({process.returncode}):\n{log.read_text()[-4000:]}")
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(1)
    pytest.fail(f"make run did not serve {url} within {seconds} s:\n{log.read_text()[-4000:]}")


def test_readme_names_the_commands_this_test_runs():
    named = readme_commands()
    assert {"createsuperuser", "decide_sessions", "loaddata"} <= named
    assert "make run PORT=8300" in README


def test_fresh_clone_make_run_then_every_readme_command_works(tmp_path, clone_database):
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "--quiet", str(ROOT), str(clone)], check=True, timeout=120)
    port = free_port()
    log = tmp_path / "make-run.log"
    env = plain_env(**clone_database)
    with log.open("w") as out:
        server = subprocess.Popen(
            ["make", "run", f"PORT={port}"],
            cwd=clone,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(base + "/healthz", server, log, seconds=600)
        env_file = clone / ".env"
        assert env_file.exists()
        assert oct(env_file.stat().st_mode & 0o777) == "0o600"
        python = str(clone / ".venv" / "bin" / "python")

        def manage(*args: str) -> subprocess.CompletedProcess:
            result = subprocess.run(
                [python, "manage.py", *args],
                cwd=clone,
                env=env,
                capture_output=True,
                text=True,
                timeout=300,
            )
            assert result.returncode == 0, f"manage.py {' '.join(args)}:\n{result.stderr}"
            return result

        for command in sorted(readme_commands()):
            manage(command, "--help")
        outputs = {args[0]: manage(*args).stdout for args in RUN_FOR_REAL}
        assert f"SITE_URL=http://127.0.0.1:{port}" in outputs["shell"]

        # Enrol through the running site: the confirmation mail (printed by the development
        # server's console mail backend) links to the port the site runs on.
        session_id = manage(
            "shell",
            "-c",
            "from trainings.models import Session; "
            "s = [s for s in Session.objects.public().for_listing() "
            "if s.is_open_for_registration and not s.reserved_for][0]; print(s.pk)",
        ).stdout.split()[-1]  # after the shell's note on what it imported
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
        form_url = f"{base}/sessies/{session_id}/inschrijven/"
        with opener.open(form_url, timeout=30) as response:
            page = response.read().decode()
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        body = urllib.parse.urlencode(
            {
                "csrfmiddlewaretoken": token,
                "first_name": "Nieuwe",
                "last_name": "Collega",
                "email": "nieuwe.collega@example.org",
                "organisation": "Bibliotheek Testdorp",
                "privacy": "on",
            }
        ).encode()
        request = urllib.request.Request(form_url, body, headers={"Referer": form_url})
        with opener.open(request, timeout=60) as response:
            assert response.status == 200
        deadline = time.monotonic() + 30
        link = re.compile(rf"http://127\.0\.0\.1:{port}/inschrijving/")
        while not link.search(log.read_text()) and time.monotonic() < deadline:
            time.sleep(0.5)
        assert link.search(log.read_text()), log.read_text()[-4000:]
        assert "127.0.0.1:8000/inschrijving" not in log.read_text()
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(timeout=30)


def test_production_without_a_key_refuses_to_start(tmp_path):
    """No .env and DJANGO_DEBUG off: settings refuse to load without DJANGO_SECRET_KEY."""
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=plain_env(DJANGO_ENV_FILE=str(tmp_path / "missing.env")),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is not set" in result.stderr


def test_local_env_file_makes_commands_work_without_exports(tmp_path):
    from catalogue.localenv import write_local_env

    env_file = tmp_path / ".env"
    write_local_env(env_file, "http://127.0.0.1:8300")
    first_key = re.search(r"DJANGO_SECRET_KEY=(\S+)", env_file.read_text()).group(1)
    # Again with another port: the address follows, the key stays.
    write_local_env(env_file, "http://127.0.0.1:8400")
    text = env_file.read_text()
    assert f"DJANGO_SECRET_KEY={first_key}" in text
    assert "SITE_URL=http://127.0.0.1:8400" in text
    result = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "shell",
            "--verbosity=0",
            "-c",
            "from django.conf import settings; print(settings.DEBUG, settings.SITE_URL)",
        ],
        cwd=ROOT,
        env=plain_env(DJANGO_ENV_FILE=str(env_file), DATABASE_URL=f"sqlite:///{tmp_path}/db"),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "http://127.0.0.1:8400"]


def test_a_site_address_set_by_hand_is_kept(tmp_path):
    from catalogue.localenv import write_local_env

    env_file = tmp_path / ".env"
    env_file.write_text("SITE_URL=https://tunnel.example.org\n")
    write_local_env(env_file, "http://127.0.0.1:8300")
    assert "SITE_URL=https://tunnel.example.org" in env_file.read_text()
    assert "DJANGO_DEBUG=1" in env_file.read_text()
