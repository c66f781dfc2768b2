"""Sessions in the admin: trainings' SessionAdmin with who is enrolled, go or no-go, costs."""

from django import forms
from django.contrib import admin, messages
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from enrolments.admin.common import (
    CancelReasonForm,
    ExportMixin,
    confirmation_form,
    intermediate,
)
from enrolments.exports.views import can_export
from enrolments.models import Enrolment
from enrolments.places import decisions, interest, services
from enrolments.settlement.attendance import may_mark_attendance
from enrolments.settlement.costs import session_costs_settle
from trainings.admin.sessions import SessionAdmin, SessionAdminForm
from trainings.models import Session


class EnrolmentInline(admin.TabularInline):
    """Who is enrolled, at a glance. Changes go through the enrolment actions."""

    model = Enrolment
    extra = 0
    can_delete = False
    show_change_link = True
    fields = ["name", "organisation", "email", "status", "position", "created_at"]
    readonly_fields = fields
    ordering = ["status", "created_at", "pk"]

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).with_waitlist_position()

    @admin.display(description=_("naam"))
    def name(self, obj: Enrolment) -> str:
        return obj.full_name

    @admin.display(description=_("wachtlijst"))
    def position(self, obj: Enrolment):
        return obj.waitlist_position or ""


class SessionEnrolmentAdminForm(SessionAdminForm):
    """Refuses a capacity or cap below what is already registered (the session stays locked
    until the change is saved)."""

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk and cleaned.get("capacity"):
            try:
                decisions.session_check_limits(
                    session_id=self.instance.pk,
                    capacity=cleaned["capacity"],
                    max_per_organisation=cleaned.get("max_per_organisation"),
                )
            except services.LimitTooLow as error:
                raise forms.ValidationError(error.message) from None
        return cleaned


class SessionEnrolmentAdmin(ExportMixin, SessionAdmin):
    form = SessionEnrolmentAdminForm
    inlines = [*SessionAdmin.inlines, EnrolmentInline]
    actions = [
        *SessionAdmin.actions,
        "confirm",
        "cancel",
        "settle_costs",
        "export_xlsx",
        "export_csv",
    ]

    def export_enrolments(self, request, queryset):
        return Enrolment.objects.filter(session__in=queryset.values("pk"))

    def get_inlines(self, request, obj):
        # A session being planned has nobody enrolled yet.
        return self.inlines if obj is not None else SessionAdmin.inlines

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        session = form.instance
        if change:
            promoted = services.waitlist_promote(session_id=session.pk)
            if promoted:
                self.message_user(
                    request,
                    ngettext(
                        "%d persoon van de wachtlijst is ingeschreven.",
                        "%d mensen van de wachtlijst zijn ingeschreven.",
                        len(promoted),
                    )
                    % len(promoted),
                    messages.SUCCESS,
                )
        else:
            notified = interest.interest_notify(session_id=session.pk)
            if notified:
                self.message_user(
                    request,
                    ngettext(
                        "%d geïnteresseerde krijgt een e-mail over deze sessie.",
                        "%d geïnteresseerden krijgen een e-mail over deze sessie.",
                        notified,
                    )
                    % notified,
                    messages.SUCCESS,
                )

    def schedule_changed(self, request, session: Session, *, changed: list, removed: list):
        """Everyone with a place gets the new schedule for their calendar."""
        mailed = decisions.session_schedule_changed(session_id=session.pk, removed=removed)
        if mailed:
            self.message_user(
                request,
                ngettext(
                    "De planning is gewijzigd: %d deelnemer krijgt een e-mail met het "
                    "bijgewerkte agenda-bestand.",
                    "De planning is gewijzigd: %d deelnemers krijgen een e-mail met het "
                    "bijgewerkte agenda-bestand.",
                    mailed,
                )
                % mailed,
                messages.SUCCESS,
            )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = extra_context or {}
        extra_context["add_enrolment_url"] = (
            reverse("admin:enrolments_enrolment_add") + f"?session={object_id}"
        )
        links = []
        session = Session.objects.filter(pk=object_id).first() if str(object_id).isdigit() else None
        if session is not None and may_mark_attendance(request.user, session):
            links.append(
                (_("Aanwezigheid registreren"), reverse("enrolments:attendance", args=[object_id]))
            )
        if can_export(request.user) and str(object_id).isdigit():
            links += [
                (_("Presentielijst"), reverse("enrolments:attendance-list", args=[object_id])),
                (_("Excel"), reverse("enrolments:export-xlsx", args=[object_id])),
                (_("CSV"), reverse("enrolments:export-csv", args=[object_id])),
            ]
        extra_context["export_links"] = links
        return super().change_view(request, object_id, form_url, extra_context)

    @admin.action(
        description=_("Bepaal de kosten van de gekozen (afgelopen) sessies opnieuw"),
        permissions=["change"],
    )
    def settle_costs(self, request, queryset):
        settled = sum(1 for s in queryset if session_costs_settle(session_id=s.pk))
        self.message_user(
            request,
            ngettext(
                "De kosten van %d afgelopen sessie zijn bepaald.",
                "De kosten van %d afgelopen sessies zijn bepaald.",
                settled,
            )
            % settled,
            messages.SUCCESS,
        )

    @admin.action(
        description=_("Laat de gekozen sessies doorgaan (deelnemers krijgen bericht)"),
        permissions=["change"],
    )
    def confirm(self, request, queryset):
        # Mails go to everyone enrolled, so the decision is confirmed on a page first,
        # just like cancelling.
        form = confirmation_form(request)
        if not form.is_valid():
            return intermediate(
                self,
                request,
                queryset,
                title=_("Sessies laten doorgaan"),
                action="confirm",
                form=form,
                intro=_(
                    "Deze sessies gaan door. Iedereen die ingeschreven is, krijgt een e-mail "
                    "dat de sessie doorgaat. Een geannuleerde sessie blijft geannuleerd."
                ),
            )
        confirmed = refused = 0
        for session in queryset:
            try:
                confirmed += decisions.session_confirm(session_id=session.pk)
            except services.DecisionNotAllowed:
                refused += 1
        if confirmed:
            self.message_user(
                request,
                ngettext(
                    "%d sessie gaat door; de deelnemers krijgen een e-mail.",
                    "%d sessies gaan door; de deelnemers krijgen een e-mail.",
                    confirmed,
                )
                % confirmed,
                messages.SUCCESS,
            )
        if refused:
            self.message_user(
                request,
                ngettext(
                    "%d sessie is al geannuleerd en kan niet meer doorgaan.",
                    "%d sessies zijn al geannuleerd en kunnen niet meer doorgaan.",
                    refused,
                )
                % refused,
                messages.WARNING,
            )

    @admin.action(
        description=_("Annuleer de gekozen sessies (deelnemers krijgen bericht)"),
        permissions=["change"],
    )
    def cancel(self, request, queryset):
        form = confirmation_form(request, CancelReasonForm)
        if not form.is_valid():
            return intermediate(
                self,
                request,
                queryset,
                title=_("Sessies annuleren"),
                action="cancel",
                form=form,
                intro=_(
                    "Deze sessies gaan niet door. Iedereen die ingeschreven is of op de "
                    "wachtlijst staat, krijgt een e-mail met de reden."
                ),
            )
        count = sum(
            decisions.session_cancel(session_id=s.pk, reason=form.cleaned_data["reason"])
            for s in queryset
        )
        self.message_user(
            request,
            ngettext(
                "%d sessie geannuleerd; iedereen die is ingeschreven krijgt een e-mail.",
                "%d sessies geannuleerd; iedereen die is ingeschreven krijgt een e-mail.",
                count,
            )
            % count,
            messages.SUCCESS,
        )
        return None


admin.site.unregister(Session)
admin.site.register(Session, SessionEnrolmentAdmin)
