"""Outgoing mail in the admin: what was sent, what waits and why, and "send again"."""

from django.contrib import admin
from django.db import transaction
from django.utils import formats, timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from enrolments.mail.outbox import MAX_ATTEMPTS, ask_worker, make_due
from enrolments.models import QueuedEmail

Status = QueuedEmail.Status


def _when(moment) -> str:
    return formats.date_format(timezone.localtime(moment), "j b H:i") if moment else ""


@admin.register(QueuedEmail)
class QueuedEmailAdmin(admin.ModelAdmin):
    """Outgoing mail, to see what was sent and why something was not, and to send it again."""

    list_display = ["created", "kind", "to", "subject", "state"]
    list_display_links = ["created"]
    list_filter = ["status", "kind", "language"]
    search_fields = ["to", "subject"]
    fields = [
        "kind",
        "to",
        "language",
        "subject",
        "status",
        "attempts",
        "last_error",
        "created_at",
        "next_attempt_at",
        "sent_at",
        "enrolment",
        "body_text",
    ]
    readonly_fields = fields
    actions = ["retry"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description=gettext_lazy("aangemaakt op"), ordering="created_at")
    def created(self, message: QueuedEmail) -> str:
        return _when(message.created_at)

    @admin.display(description=gettext_lazy("status"), ordering="status")
    def state(self, message: QueuedEmail) -> str:
        label = message.get_status_display()
        if message.status == Status.SENT:
            return format_html("{} <small>{}</small>", label, _when(message.sent_at))
        if message.status == Status.FAILED:
            if message.attempts >= MAX_ATTEMPTS:
                plan = _("opgegeven na %(count)s pogingen") % {"count": message.attempts}
            else:
                plan = _("poging %(count)s van %(max)s; volgende om %(when)s") % {
                    "count": message.attempts,
                    "max": MAX_ATTEMPTS,
                    "when": _when(message.next_attempt_at),
                }
            return format_html(
                "<strong>{}</strong> <small>({})</small><br><small>{}</small>",
                label,
                plan,
                message.last_error[:160],
            )
        return label

    @admin.action(description=gettext_lazy("Verstuur opnieuw"), permissions=["view"])
    def retry(self, request, queryset):
        """Make the chosen unsent mails due now (also after the last attempt) and hand them to
        the worker; the admin itself never waits for the mail server."""
        with transaction.atomic():
            pks = make_due(list(queryset.values_list("pk", flat=True)))
            for pk in pks:
                transaction.on_commit(lambda pk=pk: ask_worker(pk))
        self.message_user(
            request,
            ngettext(
                "%d e-mail gaat opnieuw naar de verzending.",
                "%d e-mails gaan opnieuw naar de verzending.",
                len(pks),
            )
            % len(pks),
        )
