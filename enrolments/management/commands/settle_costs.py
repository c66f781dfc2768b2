"""Work out what each enrolment of recently ended sessions costs. Safe to run daily."""

from django.core.management.base import BaseCommand
from django.utils import timezone

from enrolments.settlement.costs import SETTLE_WITHIN_DAYS, session_costs_settle, sessions_to_settle


class Command(BaseCommand):
    help = (
        "Bepaalt voor de sessies van de afgelopen dagen (standaard 120) per inschrijving wat "
        "de organisatie betaalt. Herhaalbaar: een latere verantwoording of indeling telt mee."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--days",
            type=int,
            default=SETTLE_WITHIN_DAYS,
            help="Sessies die in zoveel dagen zijn afgelopen (standaard 120).",
        )

    def handle(self, *args, days, **options):
        now = timezone.now()
        sessions = 0
        enrolments = 0
        for session_id in sessions_to_settle(now, within_days=days).values_list("pk", flat=True):
            enrolments += session_costs_settle(session_id=session_id, now=now)
            sessions += 1
        self.stdout.write(f"Kosten bepaald voor {enrolments} inschrijvingen in {sessions} sessies.")
