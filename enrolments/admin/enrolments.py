"""Enrolments in the admin. Every change of a place goes through services.py, as on the site."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from enrolments.admin.common import (
    CancelReasonForm,
    ExportMixin,
    confirmation_form,
    intermediate,
)
from enrolments.models import Attendance, Enrolment, EnrolmentEvent
from enrolments.places import services, substitution
from enrolments.public.forms import SubstituteForm
from enrolments.settlement.attendance import (
    AttendanceNotAllowed,
    attendance_mark,
    may_mark_attendance,
)
from enrolments.settlement.costs import session_costs_settle
from trainings.admin.common import DefaultChoiceFilter, SafeDateHierarchyMixin
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
        if obj.pk is None or substitution.substitution_refusal(obj, obj.session) is not None:
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
                substitution.enrolment_substitute(
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
        form = confirmation_form(request, CancelReasonForm)
        if not form.is_valid():
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
