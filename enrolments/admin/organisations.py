"""Organisations (their type and country decide some prices) and group enrolments."""

from django.contrib import admin
from django.db.models import Count, OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from enrolments.models import Enrolment, EnrolmentGroup, Organisation
from enrolments.settlement.costs import session_costs_settle, sessions_to_settle
from trainings.admin.common import SafeDateHierarchyMixin


class ClassifiedFilter(admin.SimpleListFilter):
    title = _("ingedeeld")
    parameter_name = "classified"

    def lookups(self, request, model_admin):
        return [("no", _("nog niet ingedeeld")), ("yes", _("ingedeeld"))]

    def queryset(self, request, queryset):
        missing = Q(type="") | Q(country="")
        if self.value() == "no":
            return queryset.filter(missing)
        if self.value() == "yes":
            return queryset.exclude(missing)
        return queryset


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    """Advisers say what kind of organisation each is; prices' conditions depend on it."""

    list_display = ["name", "type", "country", "enrolment_count"]
    list_editable = ["type", "country"]
    list_filter = [ClassifiedFilter, "type", "country"]
    search_fields = ["name"]
    fields = ["name", "type", "country", "created_at"]
    readonly_fields = ["created_at"]
    list_per_page = 50

    def get_queryset(self, request):
        enrolments = (
            Enrolment.objects.filter(organisation_key=OuterRef("key"))
            .order_by()
            .values("organisation_key")
            .annotate(n=Count("pk"))
            .values("n")
        )
        return super().get_queryset(request).annotate(n_enrolments=Subquery(enrolments))

    @admin.display(description=_("inschrijvingen"), ordering="n_enrolments")
    def enrolment_count(self, obj: Organisation) -> int:
        return obj.n_enrolments or 0

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and {"type", "country"} & set(form.changed_data):
            # What its people pay may change: work it out again for recent sessions.
            now = timezone.now()
            sessions = (
                sessions_to_settle(now)
                .filter(enrolments__organisation_key=obj.key)
                .distinct()
                .values_list("pk", flat=True)
            )
            for session_id in sessions:
                session_costs_settle(session_id=session_id, now=now)


class GroupEnrolmentInline(admin.TabularInline):
    model = Enrolment
    fk_name = "group"
    extra = 0
    can_delete = False
    show_change_link = True
    fields = ["first_name", "last_name", "email", "status"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(EnrolmentGroup)
class EnrolmentGroupAdmin(SafeDateHierarchyMixin, admin.ModelAdmin):
    list_display = [
        "organisation",
        "submitted_by_name",
        "submitted_by_email",
        "session",
        "size",
        "created_at",
        "confirmed_at",
    ]
    list_select_related = ["session__course", "session__location"]
    search_fields = ["organisation", "submitted_by_name", "submitted_by_email"]
    date_hierarchy = "created_at"
    fields = [
        "session",
        "organisation",
        "submitted_by_name",
        "submitted_by_email",
        "size",
        "created_at",
        "confirmed_at",
    ]
    readonly_fields = fields
    inlines = [GroupEnrolmentInline]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
