"""Learning paths and profiles, and the resources (files, links) of courses and profiles."""

from django.contrib import admin
from modeltranslation.admin import TranslationStackedInline

from trainings.admin.common import TabbedTranslationAdmin
from trainings.models import LearningPath, LearningPathStep, Profile, Resource


class LearningPathStepInline(admin.TabularInline):
    model = LearningPathStep
    extra = 0
    autocomplete_fields = ["course"]
    fields = ["position", "course", "is_optional"]


@admin.register(LearningPath)
class LearningPathAdmin(TabbedTranslationAdmin):
    list_display = ["title", "kind", "status", "is_published"]
    list_filter = ["kind", "status", "is_published"]
    search_fields = ["title", "summary"]
    prepopulated_fields = {"slug": ["title"]}
    inlines = [LearningPathStepInline]


class ProfileResourceInline(TranslationStackedInline):
    model = Resource
    fk_name = "profile"
    extra = 0
    fields = [("title", "position"), "description", ("file", "url")]


@admin.register(Profile)
class ProfileAdmin(TabbedTranslationAdmin):
    list_display = ["name", "summary"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["courses"]
    inlines = [ProfileResourceInline]


@admin.register(Resource)
class ResourceAdmin(TabbedTranslationAdmin):
    list_display = ["title", "course", "profile"]
    list_select_related = ["course", "profile"]
    search_fields = ["title", "description", "course__title"]
    autocomplete_fields = ["course", "profile"]
