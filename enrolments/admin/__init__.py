"""Enrolments in the admin. Every change of a place goes through services.py, as on the site."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import PermissionDenied
from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.http import HttpRequest, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from enrolments.admin.dashboard import dashboard
from enrolments.exports.views import can_export, export_response
from enrolments.mail.outbox import deliver
from enrolments.models import (
    Attendance,
    Enrolment,
    EnrolmentEvent,
    EnrolmentGroup,
    Interest,
    Organisation,
    QueuedEmail,
    SessionRequest,
)
from enrolments.places import decisions, interest, services
from enrolments.places.forms import SubstituteForm
from enrolments.privacy.services import person_erase, person_export, person_records
from enrolments.settlement.attendance import (
    AttendanceNotAllowed,
    attendance_mark,
    may_mark_attendance,
)
from enrolments.settlement.cost_overview import cost_overview
from enrolments.settlement.costs import session_costs_settle, sessions_to_settle
from trainings.admin import (
    DefaultChoiceFilter,
    SafeDateHierarchyMixin,
    SessionAdmin,
    SessionAdminForm,
)
from trainings.models import Session, SessionDay


class SessionPeriodFilter(DefaultChoiceFilter):
    title = _("periode van de sessie")
    parameter_name = "period"
    default = "upcoming"

    def choices_after_all(self):
        return [("upcoming", _("nog niet begonnen")), ("past", _("begonnen of voorbij"))]

    def queryset(self, request, queryset):
        now = timezone.now()
        if self.value() == "upcoming":
            return queryset.filter(session__starts_at__gt=now)
        if self.value() == "past":
            return queryset.filter(session__starts_at__lte=now)
        return queryset


class AdminEnrolmentForm(forms.Form):
    session = forms.ModelChoiceField(
        label=_("Sessie"),
        queryset=Session.objects.none(),
        help_text=_("Sessies die nog niet begonnen en niet geannuleerd zijn."),
    )
    first_name = forms.CharField(label=_("Voornaam"), max_length=100)
    last_name = forms.CharField(label=_("Achternaam"), max_length=100)
    email = forms.EmailField(label=_("E-mailadres"), max_length=254)
    organisation = forms.CharField(label=_("Organisatie"), max_length=200)
    job_title = forms.CharField(label=_("Functie"), max_length=200, required=False)
    invitation_code = forms.CharField(
        label=_("Uitnodigingscode"),
        max_length=40,
        required=False,
        help_text=_(
            "Alleen voor een gereserveerde sessie, voor iemand van een andere organisatie."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["session"].queryset = (
            Session.objects.upcoming().not_cancelled().select_related("course", "location")
        )


class CancelReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reden"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text=_("Wordt meegestuurd in de e-mail."),
    )


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


class EnrolmentEventInline(admin.TabularInline):
    """The audit trail of an enrolment: read-only."""

    model = EnrolmentEvent
    extra = 0
    can_delete = False
    fields = ["at", "kind", "from_status", "to_status", "actor", "note"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


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


class AttendanceInline(admin.TabularInline):
    """Attendance per day; saved through attendance_mark (see save_formset)."""

    model = Attendance
    extra = 0
    can_delete = False
    fields = ["day", "status", "marked_at", "marked_by"]
    readonly_fields = ["marked_at", "marked_by"]

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        days = formset.form.base_fields["day"]
        days.queryset = SessionDay.objects.filter(session=obj.session_id if obj else None)
        days.widget.can_add_related = days.widget.can_change_related = False
        days.widget.can_delete_related = days.widget.can_view_related = False
        return formset

    def get_extra(self, request, obj=None, **kwargs):
        if obj is None or obj.status != Enrolment.Status.REGISTERED:
            return 0
        return max(obj.session.days.count() - obj.attendance.count(), 0)

    def get_max_num(self, request, obj=None, **kwargs):
        return obj.session.days.count() if obj is not None else 0

    def has_add_permission(self, request, obj=None) -> bool:
        return (
            obj is not None
            and obj.status == Enrolment.Status.REGISTERED
            and may_mark_attendance(request.user, obj.session)
        )

    def has_change_permission(self, request, obj=None) -> bool:
        # obj is the enrolment: a trainer marks the people of their own sessions only.
        if obj is None:
            return request.user.has_perm("enrolments.mark_attendance")
        return may_mark_attendance(request.user, obj.session)


@admin.register(Enrolment)
class EnrolmentAdmin(SafeDateHierarchyMixin, ExportMixin, admin.ModelAdmin):
    list_display = [
        "name",
        "email",
        "organisation",
        "session_link",
        "status",
        "position",
        "enrolled_on",
    ]
    list_filter = [
        "status",
        "cost_outcome",
        "cancelled_late",
        SessionPeriodFilter,
        "session__course__theme",
        ("session__course", admin.RelatedOnlyFieldListFilter),
    ]
    list_select_related = ["session__course", "session__location"]
    search_fields = [
        "first_name",
        "last_name",
        "email",
        "organisation",
        "session__course__title",
        "session__code",
    ]
    date_hierarchy = "created_at"
    actions = ["cancel", "export_xlsx", "export_csv"]
    inlines = [AttendanceInline, EnrolmentEventInline]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "session",
                    "status",
                    "first_name",
                    "last_name",
                    "email",
                    "organisation",
                    "job_title",
                    "substitute_link",
                ]
            },
        ),
        (
            _("Herkomst"),
            {
                "fields": [
                    "created_at",
                    "group",
                    "created_by",
                    "promoted_at",
                    "privacy_accepted_at",
                ]
            },
        ),
        (
            _("Annulering"),
            {"fields": ["cancelled_at", "cancelled_by", "cancellation_reason", "cancelled_late"]},
        ),
        (
            _("Kosten"),
            {
                "fields": ["cost_outcome", "cost_amount", "cost_reason", "cost_open_until"],
                "description": _(
                    "Worden na de sessie bepaald uit de prijs, de voorwaarde, de soort "
                    "organisatie, de aanwezigheid en een late annulering."
                ),
            },
        ),
    ]
    readonly_fields = [
        "session",
        "status",
        "organisation",
        "substitute_link",
        "created_at",
        "group",
        "promoted_at",
        "created_by",
        "privacy_accepted_at",
        "cancelled_at",
        "cancelled_by",
        "cancellation_reason",
        "cost_outcome",
        "cost_amount",
        "cost_reason",
        "cost_open_until",
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).with_waitlist_position()

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # cancelling keeps who, when and why; nothing is deleted (rule 7)

    def export_enrolments(self, request, queryset):
        return Enrolment.objects.filter(pk__in=queryset.values("pk"))

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and form.changed_data:
            labels = ", ".join(str(form.fields[name].label) for name in form.changed_data)
            services.record(
                obj, EnrolmentEvent.Kind.CHANGED, before=obj.status, actor=request.user, note=labels
            )
        if "cancelled_late" in form.changed_data:
            session_costs_settle(session_id=obj.session_id)

    def save_formset(self, request, form, formset, change):
        if formset.model is not Attendance:
            return super().save_formset(request, form, formset, change)
        # Through the same function as the attendance page (costs follow).
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        allowed = may_mark_attendance(request.user, form.instance.session)
        for row in formset.forms:
            if not row.has_changed() or not row.cleaned_data.get("day"):
                continue
            if not allowed:
                raise PermissionDenied  # the inline is read-only for them; a forged post
            try:
                attendance_mark(
                    enrolment_id=form.instance.pk,
                    day_id=row.cleaned_data["day"].pk,
                    status=row.cleaned_data["status"],
                    by_user=request.user,
                )
            except AttendanceNotAllowed as error:
                self.message_user(request, error.message, messages.ERROR)
        return None

    @admin.display(description=_("vervangen"))
    def substitute_link(self, obj: Enrolment) -> str:
        if obj.pk is None or services.substitution_refusal(obj, obj.session) is not None:
            return "—"
        return format_html(
            '<a class="button" href="{}">{}</a>',
            reverse("admin:enrolments_enrolment_substitute", args=[obj.pk]),
            _("Overdragen aan een collega"),
        )

    def get_urls(self):
        export = self.admin_site.admin_view(self.export_filtered)
        substitute = self.admin_site.admin_view(self.substitute_view)
        return [
            path("export.<str:fmt>", export, name="enrolments_enrolment_export"),
            path("<int:pk>/vervangen/", substitute, name="enrolments_enrolment_substitute"),
            *super().get_urls(),
        ]

    def substitute_view(self, request: HttpRequest, pk: int):
        """Hand a place to a colleague of the same organisation, from the admin."""
        enrolment = get_object_or_404(
            Enrolment.objects.select_related("session__course", "session__location"), pk=pk
        )
        if not self.has_change_permission(request, enrolment):
            raise PermissionDenied
        form = SubstituteForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            previous = enrolment.full_name
            try:
                services.enrolment_substitute(
                    enrolment_id=enrolment.pk,
                    person=services.Person(
                        data["first_name"], data["last_name"], data["email"], data["job_title"]
                    ),
                    by_user=request.user,
                )
            except services.EnrolmentError as error:
                form.add_error(None, error.message)
            else:
                self.message_user(
                    request,
                    _(
                        "De plaats van %(old)s is overgedragen aan %(new)s; beiden krijgen een "
                        "e-mail."
                    )
                    % {"old": previous, "new": f"{data['first_name']} {data['last_name']}"},
                    messages.SUCCESS,
                )
                return HttpResponseRedirect(
                    reverse("admin:enrolments_enrolment_change", args=[enrolment.pk])
                )
        context = {
            **self.admin_site.each_context(request),
            "title": _("Plaats overdragen aan een collega"),
            "form": form,
            "enrolment": enrolment,
            "opts": self.model._meta,
            "original": enrolment,
        }
        return TemplateResponse(request, "admin/enrolments/enrolment/substitute.html", context)

    def export_filtered(self, request, fmt: str):
        """Export exactly what the changelist shows with the same filters and search."""
        if fmt not in {"csv", "xlsx"} or not self.has_view_permission(request):
            raise PermissionDenied
        if not self.has_export_permission(request):
            raise PermissionDenied
        try:
            changelist = self.get_changelist_instance(request)
        except IncorrectLookupParameters:
            return HttpResponseRedirect(reverse("admin:enrolments_enrolment_changelist"))
        return self._export(request, changelist.get_queryset(request), fmt)

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "can_export": self.has_export_permission(request),
            "export_query": request.GET.urlencode(),
        }
        return super().changelist_view(request, extra_context)

    @admin.display(description=_("naam"), ordering="last_name")
    def name(self, obj: Enrolment) -> str:
        return obj.full_name

    @admin.display(description=_("ingeschreven op"), ordering="created_at")
    def enrolled_on(self, obj: Enrolment) -> str:
        return date_format(timezone.localtime(obj.created_at), "j b Y, H:i")

    @admin.display(description=_("sessie"), ordering="session__starts_at")
    def session_link(self, obj: Enrolment) -> str:
        session = obj.session
        when = (
            date_format(timezone.localtime(session.starts_at), "j b Y") if session.starts_at else ""
        )
        return format_html(
            '<a href="{}">{}</a><br><small>{}, {}</small>',
            reverse("admin:trainings_session_change", args=[session.pk]),
            session.course.title,
            when,
            session.location.place,
        )

    @admin.display(description=_("wachtlijst"), ordering="waitlist_position")
    def position(self, obj: Enrolment):
        return obj.waitlist_position or ""

    def add_view(self, request: HttpRequest, form_url="", extra_context=None):
        if not self.has_add_permission(request):
            raise PermissionDenied
        initial = {}
        if request.GET.get("session", "").isdigit():
            initial["session"] = request.GET["session"]
        form = AdminEnrolmentForm(request.POST or None, initial=initial)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                result = services.enrolment_create(
                    session_id=data["session"].pk,
                    first_name=data["first_name"],
                    last_name=data["last_name"],
                    email=data["email"],
                    organisation=data["organisation"],
                    job_title=data["job_title"],
                    invitation_code=data["invitation_code"],
                    public=False,
                    by_user=request.user,
                )
            except services.EnrolmentError as error:
                form.add_error(None, error.message)
            else:
                if result.outcome.status == Enrolment.Status.REGISTERED:
                    text = _("%(name)s is ingeschreven en krijgt een bevestiging per e-mail.")
                else:
                    text = _(
                        "De sessie is vol: %(name)s staat op de wachtlijst (plaats "
                        "%(position)s) en krijgt daarover een e-mail."
                    )
                self.message_user(
                    request,
                    text
                    % {"name": result.enrolment.full_name, "position": result.outcome.position},
                    messages.SUCCESS,
                )
                return HttpResponseRedirect(
                    reverse("admin:trainings_session_change", args=[data["session"].pk])
                )
        context = {
            **self.admin_site.each_context(request),
            "title": _("Inschrijving toevoegen"),
            "form": form,
            "opts": self.model._meta,
            "add": True,
        }
        return TemplateResponse(request, "admin/enrolments/enrolment/add.html", context)

    @admin.action(
        description=_("Annuleer de gekozen inschrijvingen (wachtlijst schuift door)"),
        permissions=["change"],
    )
    def cancel(self, request, queryset):
        form = CancelReasonForm(request.POST if "confirm" in request.POST else None)
        if form.is_valid():
            count = 0
            for enrolment in queryset.exclude(status=Enrolment.Status.CANCELLED):
                services.enrolment_cancel(
                    enrolment_id=enrolment.pk,
                    reason=form.cleaned_data["reason"],
                    by_user=request.user,
                )
                count += 1
            self.message_user(
                request,
                ngettext(
                    "%d inschrijving geannuleerd; de deelnemer krijgt een e-mail.",
                    "%d inschrijvingen geannuleerd; de deelnemers krijgen een e-mail.",
                    count,
                )
                % count,
                messages.SUCCESS,
            )
            return None
        return intermediate(
            self,
            request,
            queryset,
            title=_("Inschrijvingen annuleren"),
            action="cancel",
            form=form,
            intro=_(
                "Deze inschrijvingen worden geannuleerd. Vrijgekomen plaatsen gaan naar de "
                "wachtlijst. Iedereen krijgt een e-mail."
            ),
        )


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
        form = forms.Form(request.POST if "confirm" in request.POST else None)
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
        form = CancelReasonForm(request.POST if "confirm" in request.POST else None)
        if form.is_valid():
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


class PersonLookupForm(forms.Form):
    email = forms.EmailField(label=_("E-mailadres"), max_length=254)


def person_data(request):
    """Find, export or erase everything stored about one e-mail address (AVG requests)."""
    if not request.user.has_perm("enrolments.change_enrolment"):
        raise PermissionDenied
    form = PersonLookupForm(request.POST or None)
    context = {
        **admin.site.each_context(request),
        "title": _("Persoonsgegevens opvragen of verwijderen"),
        "form": form,
    }
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"]
        action = request.POST.get("action")
        if action == "export":
            response = JsonResponse(
                person_export(email), json_dumps_params={"ensure_ascii": False, "indent": 2}
            )
            response["Content-Disposition"] = 'attachment; filename="persoonsgegevens.json"'
            return response
        if action == "erase":
            if request.POST.get("confirm") != "yes":
                form.add_error(None, _("Vink aan dat je de gegevens echt wilt verwijderen."))
            else:
                counts = person_erase(email, by_user=request.user)
                messages.success(
                    request,
                    _(
                        "Verwijderd: %(enrolments)s inschrijvingen (waarvan %(places_freed)s "
                        "plaatsen vrijgegeven), %(interest)s aanmeldingen voor belangstelling, "
                        "%(requests)s aanvragen en %(emails)s opgeslagen e-mails."
                    )
                    % counts,
                )
        enrolments, interests, requests = person_records(email)
        context.update(email=email, enrolments=enrolments, interests=interests, requests=requests)
    return TemplateResponse(request, "admin/enrolments/person_data.html", context)


admin.site.unregister(Session)
admin.site.register(Session, SessionEnrolmentAdmin)
admin.site.register_view(
    "werkplek/",
    dashboard,
    name="workplace",
    title=_("Werkplek: sessies van de komende weken"),
    description=_(
        "Wat gaat door, wat loopt gevaar, waar staat een wachtlijst, waar wacht "
        "iemand op een sessie."
    ),
    permission="trainings.view_session",
)
admin.site.register_view(
    "persoonsgegevens/",
    person_data,
    name="person-data",
    title=_("Persoonsgegevens opvragen of verwijderen"),
    description=_(
        "Voor een verzoek van een deelnemer: alles wat er over één e-mailadres is "
        "opgeslagen, als bestand of om te wissen."
    ),
    permission="enrolments.change_enrolment",
)


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
    readonly_fields = [
        "course",
        "organisation",
        "contact_name",
        "email",
        "phone",
        "participants",
        "preferred_period",
        "message",
        "created_at",
    ]
    fieldsets = [
        (
            _("Aanvraag"),
            {
                "fields": [
                    "course",
                    "organisation",
                    "contact_name",
                    "email",
                    "phone",
                    "participants",
                    "preferred_period",
                    "message",
                    "created_at",
                ]
            },
        ),
        (_("Afhandeling"), {"fields": ["status", "handled_by", "session", "notes"]}),
    ]

    def has_add_permission(self, request) -> bool:
        return False

    def save_model(self, request, obj, form, change):
        if obj.handled_by is None and obj.status != SessionRequest.Status.NEW:
            obj.handled_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(QueuedEmail)
class QueuedEmailAdmin(admin.ModelAdmin):
    """Outgoing mail, to see what was sent and to retry what failed."""

    list_display = ["created_at", "kind", "to", "subject", "status", "attempts", "sent_at"]
    list_filter = ["status", "kind"]
    search_fields = ["to", "subject"]
    fields = [
        "kind",
        "to",
        "subject",
        "status",
        "attempts",
        "last_error",
        "created_at",
        "sent_at",
        "enrolment",
    ]
    readonly_fields = fields
    actions = ["retry"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    @admin.action(description=_("Verstuur opnieuw"), permissions=["view"])
    def retry(self, request, queryset):
        pending = queryset.filter(
            Q(status=QueuedEmail.Status.FAILED) | Q(status=QueuedEmail.Status.PENDING)
        )
        sent = sum(deliver(pk) for pk in pending.values_list("pk", flat=True))
        self.message_user(
            request, ngettext("%d e-mail verstuurd.", "%d e-mails verstuurd.", sent) % sent
        )


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


admin.site.register_view(
    "kosten/",
    cost_overview,
    name="cost-overview",
    title=_("Kosten per organisatie"),
    description=_(
        "Per organisatie en periode: wie wat volgde, de aanwezigheid en wat in rekening "
        "wordt gebracht, ook als Excel of CSV voor de financiële afdeling."
    ),
    permission="enrolments.export_enrolments",
)
