"""Delete group enrolments the sender never confirmed. Safe to run from cron often."""

from django.conf import settings
from django.core.management.base import BaseCommand

from enrolments.places.groups import group_requests_expire


class Command(BaseCommand):
    help = (
        "Verwijdert groepsaanmeldingen die niet binnen DJANGO_GROUP_CONFIRMATION_HOURS "
        "(standaard 48) uur zijn bevestigd, met de e-mail die om bevestiging vroeg."
    )

    def handle(self, *args, **options):
        count = group_requests_expire()
        self.stdout.write(
            f"{count} onbevestigde groepsaanmelding(en) verwijderd "
            f"(ouder dan {settings.GROUP_CONFIRMATION_HOURS} uur)."
        )
