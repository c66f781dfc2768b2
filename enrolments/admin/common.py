"""What the enrolments admin pages share: a confirmation page for actions, export actions."""

from django import forms
from django.contrib import admin
from django.contrib.admin import helpers
from django.db.models import QuerySet
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _

from enrolments.exports.views import can_export, export_response
from trainings.models import Session


class CancelReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reden"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text=_("Wordt meegestuurd in de e-mail."),
    )


def confirmation_form(request, form_class=forms.Form) -> forms.Form:
    """The form of an action that is confirmed on a page first: unbound on the first click,
    so intermediate() shows the page; bound once that page comes back with "confirm"."""
    return form_class(request.POST if "confirm" in request.POST else None)


def intermediate(modeladmin, request, queryset, *, title, action, form, intro):
    """Render a confirmation page for an action that needs a reason."""
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": title,
        "objects": queryset,
        "form": form,
        "action": action,
        "intro": intro,
        "opts": modeladmin.model._meta,
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
    }
    return TemplateResponse(request, "admin/enrolments/confirm_action.html", context)


class ExportMixin:
    """Export actions for coordinators and advisers (permission enrolments.export_enrolments)."""

    def has_export_permission(self, request) -> bool:
        return can_export(request.user)

    def export_enrolments(self, request, queryset) -> QuerySet:
        raise NotImplementedError

    def _export(self, request, queryset, fmt):
        enrolments = self.export_enrolments(request, queryset)
        sessions = list(
            Session.objects.filter(pk__in=enrolments.values("session")).select_related("course")
        )
        return export_response(enrolments, sessions, fmt)

    @admin.action(description=_("Exporteer inschrijvingen naar Excel"), permissions=["export"])
    def export_xlsx(self, request, queryset):
        return self._export(request, queryset, "xlsx")

    @admin.action(description=_("Exporteer inschrijvingen naar CSV"), permissions=["export"])
    def export_csv(self, request, queryset):
        return self._export(request, queryset, "csv")
