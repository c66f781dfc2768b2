"""On PostgreSQL the statements every request repeats are prepared once per connection and
planned once (settings: DATABASE_PREPARED_STATEMENTS, on unless set to 0)."""

import json
import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.db import connection

from tests.factories import SessionFactory
from trainings.models import SearchWord

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


def prepared() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return [row[0] for row in cursor.fetchall()]


def test_a_page_seen_again_runs_statements_the_server_prepared(client):
    session = SessionFactory()
    url = session.course.get_absolute_url()
    for _ in range(3):
        assert client.get(url).status_code == 200
    # The course's places (fragments.course_live), with the parameters bound by the server.
    assert any("LEFT JOIN" in sql and "$1" in sql for sql in prepared())


def database_settings(**environment) -> dict:
    code = "from django.conf import settings; print(json.dumps(settings.DATABASES['default']))"
    result = subprocess.run(
        [sys.executable, "-c", f"import json, django; django.setup(); {code}"],
        env={
            **{k: v for k, v in os.environ.items() if k != "DATABASE_PREPARED_STATEMENTS"},
            "DJANGO_SETTINGS_MODULE": "catalogue.settings",
            "DJANGO_ENV_FILE": "",
            "DJANGO_SECRET_KEY": "x",
            "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/any",
            **environment,
        },
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout)


def test_prepared_statements_can_be_switched_off_for_a_pooler():
    on = database_settings()
    assert (on["OPTIONS"]["server_side_binding"], on["OPTIONS"]["prepare_threshold"]) == (True, 2)
    assert on["ENGINE"] == "catalogue.db.postgresql"
    off = database_settings(DATABASE_PREPARED_STATEMENTS="0")
    assert "server_side_binding" not in off["OPTIONS"] and "prepare_threshold" not in off["OPTIONS"]
    assert off["ENGINE"] == "django.db.backends.postgresql"


def test_a_bulk_write_larger_than_the_servers_parameter_limit_is_cut_into_statements():
    # 30 000 rows of three fields: 90 000 parameters, more than one statement may bind.
    rows = [SearchWord(language="nl", word=f"woord{n}", display=f"Woord{n}") for n in range(30_000)]
    SearchWord.objects.bulk_create(rows, batch_size=30_000)
    assert SearchWord.objects.filter(word__startswith="woord").count() == 30_000
    for row in rows[:25_000]:
        row.display = row.display.upper()
    SearchWord.objects.bulk_update(rows[:25_000], ["display", "word"], batch_size=25_000)
    assert SearchWord.objects.filter(display__startswith="WOORD").count() == 25_000


def test_forgetting_more_admin_log_names_than_one_statement_may_bind(admin_user):
    from django.contrib.admin.models import CHANGE, LogEntry
    from django.contrib.contenttypes.models import ContentType

    from enrolments.models import Enrolment
    from enrolments.privacy.services import ERASED, forget_log_entries
    from tests.factories import EnrolmentFactory

    enrolment = EnrolmentFactory()
    entry = LogEntry.objects.create(
        user=admin_user,
        content_type=ContentType.objects.get_for_model(Enrolment),
        object_id=str(enrolment.pk),
        object_repr="Jan Jansen",
        action_flag=CHANGE,
    )
    # A first purge after a long time: 70 000 ids, more than one statement may bind.
    ids = [*range(10**7, 10**7 + 70_000), enrolment.pk]
    assert forget_log_entries(Enrolment, ids) == 1
    entry.refresh_from_db()
    assert entry.object_repr == ERASED
