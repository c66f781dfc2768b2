"""Courses in the admin, with their prices, programme, resources and sessions at a glance."""

from django import forms
from django.contrib import admin
from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from modeltranslation.admin import TranslationStackedInline

from trainings import search, services
from trainings.admin.common import TabbedTranslationAdmin
from trainings.models import Course, OrganisationType, Price, ProgrammePart, Resource, Session


class PriceForm(forms.ModelForm):
    eligible_types = forms.MultipleChoiceField(
        label=_("voor medewerkers van"),
        choices=OrganisationType.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Alleen bij 'gratis onder voorwaarde'. Niets aangevinkt: iedereen."),
    )

    class Meta:
        model = Price
        fields = [
            "kind",
            "amount",
            "condition",
            "eligible_types",
            "eligible_country",
            "min_attendance",
            "justification_days",
            "position",
        ]


class PriceInline(TranslationStackedInline):
    model = Price
    form = PriceForm
    extra = 0
    fields = [
        ("kind", "amount", "position"),
        "condition",
        "eligible_types",
        ("eligible_country", "min_attendance", "justification_days"),
    ]


class ProgrammePartInline(TranslationStackedInline):
    model = ProgrammePart
    extra = 0
    fields = [("title", "position"), "topics", "learning_goal"]


class ResourceInline(TranslationStackedInline):
    model = Resource
    extra = 0
    fields = [("title", "position"), "description", ("file", "url")]
    fk_name = "course"


class CourseSessionInline(admin.TabularInline):
    """Sessions of the course at a glance; they are planned and edited on their own page."""

    model = Session
    extra = 0
    can_delete = False
    show_change_link = True
    fields = ["starts_at", "location", "capacity", "status"]
    readonly_fields = fields
    verbose_name_plural = _("sessies (plan een nieuwe sessie via de knop hierboven)")

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("location")


class UpcomingSessionsFilter(admin.SimpleListFilter):
    title = _("sessies")
    parameter_name = "sessions"

    def lookups(self, request, model_admin):
        return [("upcoming", _("met geplande sessie")), ("none", _("zonder geplande sessie"))]

    def queryset(self, request, queryset):
        if self.value() == "upcoming":
            return queryset.filter(upcoming_count__gt=0)
        if self.value() == "none":
            return queryset.filter(upcoming_count=0)
        return queryset


@admin.register(Course)
class CourseAdmin(TabbedTranslationAdmin):
    list_display = [
        "title",
        "theme",
        "level",
        "status",
        "is_published",
        "upcoming_count",
        "updated_at",
    ]
    list_filter = ["is_published", "status", "theme", "level", "formats", UpcomingSessionsFilter]
    list_select_related = ["theme"]
    search_fields = ["title", "summary", "slug", "providers__name"]
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["providers", "audiences", "theme", "contact_provider", "related_courses"]
    inlines = [PriceInline, ProgrammePartInline, ResourceInline, CourseSessionInline]
    actions = ["publish", "unpublish"]
    save_on_top = True
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "title",
                    "slug",
                    "is_published",
                    ("status", "available_from"),
                    "guaranteed_until",
                    "price_category",
                ]
            },
        ),
        (_("Indeling"), {"fields": ["theme", "level", "formats", "providers", "audiences"]}),
        (
            _("Beschrijving"),
            {
                "fields": [
                    "summary",
                    "description",
                    "objectives",
                    "audience_text",
                    "methods",
                    "content",
                    "practical_info",
                ]
            },
        ),
        (
            _("Sessies: standaardwaarden"),
            {
                "fields": [
                    "duration",
                    ("default_capacity", "default_min_participants"),
                    "max_per_organisation",
                    "free_cancellation_working_days",
                ],
                "description": _(
                    "Nieuwe sessies nemen deze waarden over; per sessie aan te passen."
                ),
            },
        ),
        (
            _("Contact en links"),
            {
                "fields": [
                    "contact_provider",
                    ("contact_name", "contact_email"),
                    ("contact_phone", "contact_note"),
                    ("delivery", "platform_name"),
                    ("external_url", "external_url_label"),
                ]
            },
        ),
        (_("Verwante trainingen"), {"fields": ["related_courses"]}),
    ]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                upcoming_count=Count(
                    "sessions", filter=Q(sessions__in=Session.objects.upcoming().not_cancelled())
                )
            )
        )

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        search.refresh([form.instance.pk])  # providers and audiences are saved by now

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "formats":
            kwargs["widget"] = forms.CheckboxSelectMultiple
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    @admin.display(description=_("geplande sessies"), ordering="upcoming_count")
    def upcoming_count(self, obj: Course) -> int:
        return obj.upcoming_count

    @admin.action(description=_("Publiceer de gekozen trainingen"))
    def publish(self, request, queryset):
        count = services.courses_publish(courses=queryset, published=True)
        self.message_user(
            request,
            ngettext("%d training gepubliceerd.", "%d trainingen gepubliceerd.", count) % count,
        )

    @admin.action(description=_("Zet de gekozen trainingen terug naar concept"))
    def unpublish(self, request, queryset):
        count = services.courses_publish(courses=queryset, published=False)
        self.message_user(
            request,
            ngettext("%d training is nu concept.", "%d trainingen zijn nu concept.", count) % count,
        )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = extra_context or {}
        extra_context["plan_session_url"] = (
            reverse("admin:trainings_session_add") + f"?course={object_id}"
        )
        return super().change_view(request, object_id, form_url, extra_context)
