"""What people ask for: interest in a course, and a session for their own organisation."""

from django.contrib import admin
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from enrolments.models import Interest, SessionRequest


@admin.register(Interest)
class InterestAdmin(admin.ModelAdmin):
    list_display = ["email", "course", "organisation", "city", "created_at", "notified_at"]
    list_filter = [
        ("course", admin.RelatedOnlyFieldListFilter),
        "city",
        ("notified_at", admin.EmptyFieldListFilter),
    ]
    list_select_related = ["course"]
    search_fields = ["email", "organisation", "city", "course__title"]
    readonly_fields = [
        "course",
        "email",
        "consent_at",
        "created_at",
        "notified_at",
        "notified_session",
    ]
    fields = [
        "course",
        "email",
        "organisation",
        "city",
        "consent_at",
        "created_at",
        "notified_at",
        "notified_session",
    ]

    def has_add_permission(self, request) -> bool:
        return False  # interest is given by the person, with consent, on the site

    def changelist_view(self, request, extra_context=None):
        summary = (
            Interest.objects.filter(notified_at=None)
            .values("course__title", "course__pk", "city")
            .annotate(n=Count("pk"))
            .order_by("-n", "course__title", "city")[:50]
        )
        extra_context = {**(extra_context or {}), "interest_summary": summary}
        return super().changelist_view(request, extra_context)


# What the requester sent: shown, never edited (the adviser fills in the handling).
REQUEST_AS_SENT = (
    "course",
    "organisation",
    "contact_name",
    "email",
    "phone",
    "participants",
    "preferred_period",
    "message",
    "created_at",
)


@admin.register(SessionRequest)
class SessionRequestAdmin(admin.ModelAdmin):
    list_display = [
        "created_at",
        "course",
        "organisation",
        "contact_name",
        "participants",
        "preferred_period",
        "status",
        "handled_by",
    ]
    list_filter = ["status", ("course", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["course", "handled_by"]
    search_fields = ["organisation", "contact_name", "email", "course__title"]
    autocomplete_fields = ["session"]
    readonly_fields = REQUEST_AS_SENT
    fieldsets = [
        (_("Aanvraag"), {"fields": REQUEST_AS_SENT}),
        (_("Afhandeling"), {"fields": ["status", "handled_by", "session", "notes"]}),
    ]

    def has_add_permission(self, request) -> bool:
        return False

    def save_model(self, request, obj, form, change):
        if obj.handled_by is None and obj.status != SessionRequest.Status.NEW:
            obj.handled_by = request.user
        super().save_model(request, obj, form, change)
