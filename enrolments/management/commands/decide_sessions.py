"""Rule 4 for every session past its registration deadline. Safe to run from cron often."""

from django.core.management.base import BaseCommand
from django.utils import formats, timezone

from enrolments.places.decisions import session_decide, sessions_to_decide
from trainings.models import Session


class Command(BaseCommand):
    help = (
        "Besluit voor elke sessie waarvan de inschrijfdeadline voorbij is of die doorgaat of "
        "niet, en mailt de deelnemers. Herhaalbaar: een besluit wordt maar één keer genomen."
    )

    def handle(self, *args, **options):
        decided = 0
        for session in sessions_to_decide().select_related("course", "location"):
            outcome = session_decide(session_id=session.pk)
            if outcome is None:
                continue  # decided meanwhile by another run or by an adviser
            decided += 1
            when = formats.date_format(timezone.localtime(session.starts_at), "j F Y")
            label = Session.Status(outcome).label.lower()
            self.stdout.write(f"{session.course.title}, {when}, {session.location.place}: {label}")
        if not decided:
            self.stdout.write("Geen sessies om over te besluiten.")
