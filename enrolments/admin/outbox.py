"""Outgoing mail in the admin."""

from django.contrib import admin
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from enrolments.mail.outbox import deliver
from enrolments.models import QueuedEmail


@admin.register(QueuedEmail)
class QueuedEmailAdmin(admin.ModelAdmin):
    """Outgoing mail, to see what was sent and to retry what failed."""

    list_display = [
        "created_at",
        "kind",
        "to",
        "subject",
        "status",
        "attempts",
        "next_attempt_at",
        "sent_at",
    ]
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

    @admin.action(description=_("Verstuur opnieuw"), permissions=["view"])
    def retry(self, request, queryset):
        pending = queryset.filter(
            Q(status=QueuedEmail.Status.FAILED) | Q(status=QueuedEmail.Status.PENDING)
        )
        sent = sum(deliver(pk) for pk in pending.values_list("pk", flat=True))
        self.message_user(
            request, ngettext("%d e-mail verstuurd.", "%d e-mails verstuurd.", sent) % sent
        )
