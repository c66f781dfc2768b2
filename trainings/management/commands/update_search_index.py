"""Rebuild the search data of every course (after an import, or once after upgrading)."""

from django.core.management.base import BaseCommand

from trainings.search import refresh


class Command(BaseCommand):
    help = "Bouwt de zoekindex van alle trainingen opnieuw op."

    def handle(self, *args, **options):
        count = refresh()
        self.stdout.write(f"Zoekindex bijgewerkt voor {count} trainingen.")
