"""What courses and sessions pick from: providers, audiences, formats, themes, locations."""

from django.contrib import admin
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from trainings import search
from trainings.admin.common import TabbedTranslationAdmin
from trainings.models import Audience, Format, Location, Provider, Theme


class CourseCountMixin:
    """Annotate and show how many courses use this row, without a query per row.

    Its name is part of those courses' search data, so saving it refreshes their index.
    """

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change:
            search.refresh(obj.courses.values_list("pk", flat=True))

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(course_count=Count("courses", distinct=True))

    @admin.display(description=_("trainingen"), ordering="course_count")
    def course_count(self, obj) -> int:
        return obj.course_count


@admin.register(Provider)
class ProviderAdmin(CourseCountMixin, TabbedTranslationAdmin):
    list_display = ["name", "kind", "free_cancellation_working_days", "course_count"]
    list_filter = ["kind"]
    search_fields = ["name", "description"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Audience)
class AudienceAdmin(CourseCountMixin, TabbedTranslationAdmin):
    list_display = ["name", "course_count"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Format)
class FormatAdmin(CourseCountMixin, TabbedTranslationAdmin):
    list_display = ["name", "position", "course_count"]
    list_editable = ["position"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Theme)
class ThemeAdmin(CourseCountMixin, TabbedTranslationAdmin):
    list_display = ["name", "position", "course_count"]
    list_editable = ["position"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Location)
class LocationAdmin(admin.ModelAdmin):
    list_display = ["name", "city", "country", "is_online"]
    list_filter = ["is_online", "country"]
    search_fields = ["name", "city", "street_address"]
