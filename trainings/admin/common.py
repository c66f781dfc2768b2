"""Shared by the trainings and enrolments admin: a date hierarchy safe from bad URLs, a filter
with a default."""

from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.main import ChangeList
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationAdmin


class SafeChangeList(ChangeList):
    """Django's changelist, with an absurd date-hierarchy year (99999999999999999999, 9999)
    treated as the bad lookup it is (Django overflows on it) instead of failing."""

    def get_filters(self, request):
        try:
            return super().get_filters(request)
        except (OverflowError, ValueError) as error:
            raise IncorrectLookupParameters(error) from error


class SafeDateHierarchyMixin:
    """For admins with a date_hierarchy: bad dates in the URL reload the list with ?e=1."""

    def get_changelist(self, request, **kwargs):
        return SafeChangeList


class DefaultChoiceFilter(admin.SimpleListFilter):
    """A list filter that applies `default` until another choice is made; "Alle" shows all.

    Django's own "All" link removes the parameter, which here means the default, so it is
    replaced by an explicit ?<parameter>=all.
    """

    default: str
    show_all = "all"

    def lookups(self, request, model_admin):
        return [(self.show_all, _("Alle")), *self.choices_after_all()]

    def choices_after_all(self) -> list[tuple[str, str]]:
        raise NotImplementedError

    def value(self):
        value = super().value()
        return self.default if value is None else value

    def choices(self, changelist):
        choices = list(super().choices(changelist))
        return choices[1:]  # Django's "All" (no parameter) would mean the default


class TabbedTranslationAdmin(TranslationAdmin):
    """Texts per language (modeltranslation) with language buttons above the form: one
    language at a time, or all. Our own script (modeltranslation's tabs load jQuery UI from a
    CDN, which the Content-Security-Policy does not allow)."""

    class Media:
        js = ("js/admin-translation-tabs.js",)
        css = {"all": ("css/admin-translation-tabs.css",)}
