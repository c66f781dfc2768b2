"""Which texts are kept per language (django-modeltranslation).

Each registered field gets a column per language in settings.LANGUAGES (title_nl, title_fr,
title_en, …); reading ``title`` gives the active language's value, or the Dutch one when it is
empty (MODELTRANSLATION_FALLBACK_LANGUAGES). Pages mark such a Dutch fallback with lang="nl"
(catalogue_tags: ``dutch_lang`` and ``fallback_lang``).
"""

from modeltranslation.translator import TranslationOptions, register

from trainings.models import (
    Audience,
    Course,
    Format,
    LearningPath,
    Price,
    Profile,
    ProgrammePart,
    Provider,
    Resource,
    Theme,
)


class NameTranslation(TranslationOptions):
    fields = ("name",)


register(Format)(NameTranslation)
register(Audience)(NameTranslation)


@register(Theme)
class ThemeTranslation(TranslationOptions):
    fields = ("name", "description")


@register(Provider)
class ProviderTranslation(TranslationOptions):
    fields = ("description",)


@register(Course)
class CourseTranslation(TranslationOptions):
    fields = (
        "title",
        "summary",
        "description",
        "objectives",
        "audience_text",
        "methods",
        "content",
        "practical_info",
        "contact_note",
        "external_url_label",
    )
    # A course needs its Dutch title and summary; other languages may stay empty (fallback).
    required_languages = {"nl": ("title", "summary")}


@register(ProgrammePart)
class ProgrammePartTranslation(TranslationOptions):
    fields = ("title", "topics", "learning_goal")
    required_languages = {"nl": ("title", "topics")}


@register(Price)
class PriceTranslation(TranslationOptions):
    fields = ("condition",)


@register(LearningPath)
class LearningPathTranslation(TranslationOptions):
    fields = ("title", "summary", "description")
    required_languages = {"nl": ("title", "summary")}


@register(Profile)
class ProfileTranslation(TranslationOptions):
    fields = ("name", "summary", "description")
    required_languages = {"nl": ("name",)}


@register(Resource)
class ResourceTranslation(TranslationOptions):
    fields = ("title", "description")
    required_languages = {"nl": ("title",)}
