"""Send e-mails that could not be sent right away (mail server down, interrupted process)."""

from django.core.management.base import BaseCommand

from enrolments.mail.outbox import retry_pending


class Command(BaseCommand):
    help = "Verstuurt e-mails die nog wachten of eerder mislukten. Herhaalbaar; voor cron."

    def handle(self, *args, **options):
        sent, failed = retry_pending()
        self.stdout.write(f"Verstuurd: {sent}; opnieuw mislukt: {failed}.")
