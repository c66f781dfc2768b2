"""Which taxonomy fields are kept per language (django-modeltranslation).

Each registered field gets a column per language in settings.LANGUAGES (name_nl, name_en, …);
reading ``name`` gives the active language's value, or the Dutch one when it is empty.
Course texts stay Dutch only: pages mark them with lang="nl" (catalogue_tags.dutch_lang).
"""

from modeltranslation.translator import TranslationOptions, register

from trainings.models import Audience, Format, Theme


class NameTranslation(TranslationOptions):
    fields = ("name",)


register(Format)(NameTranslation)
register(Theme)(NameTranslation)
register(Audience)(NameTranslation)
