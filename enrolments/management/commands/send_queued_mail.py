"""Send e-mails that could not be sent right away (mail server down, interrupted process)."""

from django.core.management.base import BaseCommand

from enrolments.mail.outbox import retry_pending


class Command(BaseCommand):
    help = (
        "Verstuurt nu alle e-mails die nog wachten of eerder mislukten "
        "(de worker doet dit elke minuut vanzelf)."
    )

    def handle(self, *args, **options):
        sent, failed = retry_pending(without_waiting=True)
        self.stdout.write(f"Verstuurd: {sent}; opnieuw mislukt: {failed}.")
