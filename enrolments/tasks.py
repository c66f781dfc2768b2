"""The worker's tasks (Huey: `manage.py run_huey`, `make worker`).

Sending a mail is queued by the request that stores it (enrolments/mail/outbox.py); the
periodic jobs below replace the cron lines a site owner would otherwise have to remember.
Times are UTC. Every job is idempotent and holds a lock while it runs, so a slow run is never
overlapped by the next one; with workers on several machines, run the periodic jobs on one
(`run_huey --no-periodic` on the others).
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task

from enrolments import jobs
from enrolments.mail.outbox import retry_pending
from enrolments.places.groups import group_requests_expire
from enrolments.privacy.services import purge
from enrolments.settlement.costs import SETTLE_WITHIN_DAYS, session_costs_settle, sessions_to_settle

logger = logging.getLogger(__name__)


@db_periodic_task(crontab(minute="*"))
@lock_task("outbox-sweep")
def sweep_outbox() -> None:
    """Send what the queue did not bring (queue down, worker killed) and what is due again."""
    sent, failed = retry_pending()
    if sent or failed:
        logger.info("Outbox sweep: %s sent, %s failed", sent, failed)


@db_periodic_task(crontab(minute="*"))
@lock_task("decide-sessions")
def decide_sessions() -> None:
    """Sessions past their registration deadline go ahead or are cancelled; everyone hears."""
    for session_id, outcome in jobs.decide_due_sessions().items():
        logger.info("Session %s decided: %s", session_id, outcome)


@db_periodic_task(crontab(minute="*/5"))
@lock_task("notify-interest")
def notify_interest() -> None:
    jobs.notify_interest()


@db_periodic_task(crontab(minute="*"))
@lock_task("send-reminders")
def send_reminders() -> None:
    """The reminder a few days before each session (REMINDER_DAYS_BEFORE), once per person."""
    count = jobs.send_reminders()
    if count:
        logger.info("Reminders queued: %s", count)


@db_periodic_task(crontab(minute="*/15"))
@lock_task("expire-group-requests")
def expire_group_requests() -> None:
    group_requests_expire()


@db_periodic_task(crontab(minute="30", hour="2"))
@lock_task("purge-personal-data")
def purge_personal_data() -> None:
    """Anonymise what is past the retention period; also clears expired login sessions."""
    counts = purge(settings.PERSONAL_DATA_RETENTION_MONTHS)
    logger.info("Personal data purged: %s", counts)


@db_periodic_task(crontab(minute="0", hour="3"))
@lock_task("settle-costs")
def settle_costs() -> None:
    now = timezone.now()
    for session_id in sessions_to_settle(now, within_days=SETTLE_WITHIN_DAYS).values_list(
        "pk", flat=True
    ):
        session_costs_settle(session_id=session_id, now=now)
