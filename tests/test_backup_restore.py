"""A PostgreSQL backup made by scripts/backup.sh restores with the same contents."""

import os
import subprocess
from pathlib import Path

import pytest

from tests.factories import EnrolmentFactory, SessionFactory
from tests.servers import database_url

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

SCRIPTS = Path(__file__).resolve().parent.parent / "scripts"


def run(script: str, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "DATABASE_URL": database_url()}
    return subprocess.run(
        [str(SCRIPTS / script), *args], env=env, capture_output=True, text=True, timeout=300
    )


def test_backup_restores_with_the_same_rows(tmp_path):
    session = SessionFactory()
    for _ in range(5):
        EnrolmentFactory(session=session)
    backup = run("backup.sh", str(tmp_path))
    assert backup.returncode == 0, backup.stderr
    dump = Path(backup.stdout.strip())
    assert dump.exists() and dump.stat().st_size > 0
    check = run("restore_check.sh", str(dump))
    assert check.returncode == 0, check.stdout + check.stderr
    assert "enrolments_enrolment: 5" in check.stdout and "Restore OK" in check.stdout
    # The check notices when the backup does not match the database.
    EnrolmentFactory(session=session)
    stale = run("restore_check.sh", str(dump))
    assert stale.returncode == 1
    assert "MISMATCH enrolments_enrolment: 6 in the database, 5 in the backup" in stale.stdout
