"""Anonymise personal data that is older than the retention period. For a nightly cron job."""

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction

from enrolments.privacy.services import purge


class Command(BaseCommand):
    help = (
        "Anonimiseert inschrijvingen van sessies die langer dan de bewaartermijn geleden "
        "afliepen, en oude belangstelling, aanvragen en e-mails; ruimt verlopen sessies op "
        "(zoals clearsessions). Aantallen blijven bewaard."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--months",
            type=int,
            default=settings.PERSONAL_DATA_RETENTION_MONTHS,
            help="Bewaartermijn in maanden (standaard DJANGO_RETENTION_MONTHS, anders 12).",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Toon alleen wat er zou gebeuren."
        )

    def handle(self, *args, months, dry_run, **options):
        with transaction.atomic():
            counts = purge(months)
            if dry_run:
                transaction.set_rollback(True)
        verb = "Zou anonimiseren" if dry_run else "Geanonimiseerd"
        self.stdout.write(
            f"{verb} (ouder dan {months} maanden): {counts['enrolments']} inschrijvingen, "
            f"{counts['interest']} aanmeldingen voor belangstelling, {counts['requests']} "
            f"aanvragen, {counts['groups']} groepsinschrijvingen; {counts['emails']} opgeslagen "
            "e-mails verwijderd; verlopen sessies opgeruimd."
        )
