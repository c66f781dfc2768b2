"""Sessions in the admin: planning days, defaults from the course, duplicating to a new date."""

import datetime

from django import forms
from django.contrib import admin, messages
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.http import urlencode
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from trainings.admin.common import DefaultChoiceFilter, SafeDateHierarchyMixin
from trainings.models import Course, Location, Session, SessionDay
from trainings.services import session_days_revise

# Sessions are planned at most this far ahead: beyond it a date is a typing error, and near
# year 9999 the date arithmetic of deadlines and cancellation terms overflows.
PLANNING_HORIZON_YEARS = 5
EARLIEST_SESSION_DATE = datetime.date(2000, 1, 1)


def planning_horizon(today: datetime.date) -> datetime.date:
    try:
        return today.replace(year=today.year + PLANNING_HORIZON_YEARS)
    except ValueError:  # 29 February
        return today.replace(year=today.year + PLANNING_HORIZON_YEARS, day=28)


class SessionDayFormSet(BaseInlineFormSet):
    """Checks the days together with the session: at least one, and a deadline before day one.

    An empty deadline becomes a week before the first day, so that there is always a moment
    at which the go/no-go decision is taken.
    """

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        days = [
            form.cleaned_data
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]
        if not days:
            raise forms.ValidationError(_("Geef minstens één dag op met begin- en eindtijd."))
        dates = [day["date"] for day in days]
        if len(set(dates)) != len(dates):
            raise forms.ValidationError(_("Elke datum mag maar één keer voorkomen."))
        latest = planning_horizon(timezone.localdate())
        if max(dates) > latest or min(dates) < EARLIEST_SESSION_DATE:
            raise forms.ValidationError(
                _("Kies data tussen %(first)s en %(last)s (hoogstens %(years)s jaar vooruit).")
                % {
                    "first": f"{EARLIEST_SESSION_DATE:%d-%m-%Y}",
                    "last": f"{latest:%d-%m-%Y}",
                    "years": PLANNING_HORIZON_YEARS,
                }
            )
        first = min(days, key=lambda day: (day["date"], day["start_time"]))
        tz = self.instance.location.tzinfo if self.instance.location_id else None
        first_start = datetime.datetime.combine(
            first["date"], first["start_time"], tzinfo=tz or timezone.get_current_timezone()
        )
        deadline = self.instance.registration_deadline
        if deadline is None:
            deadline = Session.default_closes_at(first_start)
            if deadline <= timezone.now() and first_start > timezone.now():
                raise forms.ValidationError(
                    _(
                        "Een week voor de eerste dag is al voorbij: vul zelf een "
                        "inschrijfdeadline in (uiterlijk het begin van de eerste dag)."
                    )
                )
            self.instance.registration_deadline = deadline
        elif deadline > first_start:
            raise forms.ValidationError(
                _(
                    "De inschrijfdeadline ligt na het begin van de eerste dag. Kies een "
                    "moment vóór %(start)s."
                )
                % {"start": timezone.localtime(first_start).strftime("%d-%m-%Y %H:%M")}
            )


def session_copy_from_request(request: HttpRequest) -> tuple[dict, list[dict]] | None:
    """The values of a copy asked for with ?duplicate=<pk>&first_day=<date> on the add form.

    Only on GET: a posted form carries its own values, and prefilled days left unchanged
    would otherwise count as empty rows.
    """
    if request.method != "GET":
        return None
    if not hasattr(request, "_session_copy"):
        request._session_copy = None
        source_id = request.GET.get("duplicate", "")
        form = DuplicateSessionForm({"first_day": request.GET.get("first_day", "")})
        if source_id.isdigit() and form.is_valid():
            source = Session.objects.select_related("location").filter(pk=source_id).first()
            if source is not None:
                request._session_copy = source.copy_values(form.cleaned_data["first_day"])
    return request._session_copy


class SessionDayInline(admin.TabularInline):
    model = SessionDay
    formset = SessionDayFormSet
    min_num = 1
    fields = ["date", "start_time", "end_time"]

    def get_extra(self, request, obj=None, **kwargs) -> int:
        copy = session_copy_from_request(request) if obj is None else None
        return max(len(copy[1]) - self.min_num, 0) if copy else 0


class SessionAdminForm(forms.ModelForm):
    """Capacity, minimum and cap fall back to the course's defaults when left empty."""

    class Meta:
        model = Session
        fields = [
            "course",
            "location",
            "code",
            "capacity",
            "min_participants",
            "max_per_organisation",
            "registration_deadline",
            "organiser",
            "adviser",
            "trainer",
            "reserved_for",
            "invitation_code",
            "online_url",
            "notes",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("capacity", "min_participants"):
            if name in self.fields:
                self.fields[name].required = False
        if "capacity" in self.fields:
            self.fields["capacity"].help_text = _("Leeg: het maximum van de training.")

    def clean(self):
        cleaned = super().clean()
        course = cleaned.get("course")
        if course is not None:
            for name, value in course.session_defaults().items():
                if name == "max_per_organisation":  # empty is a choice: no cap
                    if not self.instance.pk and cleaned.get(name) is None:
                        cleaned[name] = value
                elif cleaned.get(name) in (None, ""):
                    cleaned[name] = value
        if cleaned.get("capacity") in (None, ""):
            self.add_error(
                "capacity",
                _("Vul het maximum aantal deelnemers in; de training heeft geen standaardwaarde."),
            )
        elif (cleaned.get("min_participants") or 0) > cleaned["capacity"]:
            self.add_error(
                "min_participants",
                _("Het minimum mag niet hoger zijn dan het maximum aantal deelnemers."),
            )
        reserved_for = cleaned.get("reserved_for")
        if reserved_for is not None:
            cleaned["reserved_for"] = " ".join(reserved_for.split())
        return cleaned


class UpcomingFilter(DefaultChoiceFilter):
    title = _("periode")
    parameter_name = "period"
    default = "upcoming"

    def choices_after_all(self):
        return [("upcoming", _("nog niet begonnen")), ("past", _("begonnen of voorbij"))]

    def queryset(self, request, queryset):
        if self.value() == "upcoming":
            return queryset.upcoming()
        if self.value() == "past":
            return queryset.past()
        return queryset


class CityFilter(admin.SimpleListFilter):
    title = _("plaats")
    parameter_name = "city"

    def lookups(self, request, model_admin):
        cities = (
            Location.objects.filter(is_online=False)
            .order_by("city")
            .values_list("city", flat=True)
            .distinct()
        )
        return [("online", _("Online")), *((city, city) for city in cities)]

    def queryset(self, request, queryset):
        if self.value() == "online":
            return queryset.filter(location__is_online=True)
        if self.value():
            return queryset.filter(location__city=self.value(), location__is_online=False)
        return queryset


class DuplicateSessionForm(forms.Form):
    first_day = forms.DateField(
        label=_("Nieuwe eerste dag"),
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Alle dagen en de inschrijfdeadline schuiven evenveel op."),
    )

    def clean_first_day(self) -> datetime.date:
        first_day = self.cleaned_data["first_day"]
        today = timezone.localdate()
        latest = planning_horizon(today)
        if not today <= first_day <= latest:
            raise forms.ValidationError(
                _(
                    "Kies een eerste dag vanaf vandaag en hoogstens %(years)s jaar vooruit "
                    "(uiterlijk %(last)s)."
                )
                % {"years": PLANNING_HORIZON_YEARS, "last": f"{latest:%d-%m-%Y}"}
            )
        return first_day


@admin.register(Session)
class SessionAdmin(SafeDateHierarchyMixin, admin.ModelAdmin):
    form = SessionAdminForm
    list_display = ["first_day", "course_title", "place", "fill", "status", "deadline"]
    list_display_links = ["first_day", "course_title"]
    list_filter = ["status", UpcomingFilter, "course__theme", CityFilter]
    list_select_related = ["course", "location"]
    date_hierarchy = "starts_at"
    search_fields = [
        "course__title",
        "code",
        "location__name",
        "location__city",
        "trainer",
        "reserved_for",
    ]
    autocomplete_fields = ["course", "location", "organiser", "adviser"]
    inlines = [SessionDayInline]
    actions = ["duplicate"]
    # Past sessions are hidden by default (UpcomingFilter), so the next one comes first.
    ordering = ["starts_at", "pk"]
    readonly_fields = ["status", "decided_at", "cancellation_reason"]
    fieldsets = [
        (None, {"fields": ["course", "location", "code"]}),
        (
            _("Plaatsen"),
            {
                "fields": [
                    ("capacity", "min_participants"),
                    "max_per_organisation",
                    "registration_deadline",
                ]
            },
        ),
        (
            _("Organisatie"),
            {
                "classes": ["collapse"],
                "fields": [
                    "organiser",
                    "adviser",
                    "trainer",
                    "reserved_for",
                    "invitation_code",
                    "online_url",
                    "notes",
                ],
            },
        ),
        (
            _("Doorgaan of niet"),
            {
                "fields": ["status", "decided_at", "cancellation_reason"],
                "description": _(
                    "Op de inschrijfdeadline besluit het systeem zelf: genoeg inschrijvingen "
                    "= gaat door, anders geannuleerd. Eerder besluiten kan met de acties "
                    "'laat doorgaan' en 'annuleer' in de lijst met sessies."
                ),
            },
        ),
    ]

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        return fieldsets if obj is not None else fieldsets[:-1]

    def get_ordering(self, request):
        if request.GET.get(UpcomingFilter.parameter_name) == "past":
            return ["-starts_at", "-pk"]  # looking back: the most recent first
        return super().get_ordering(request)

    def get_queryset(self, request):
        return super().get_queryset(request).with_counts()

    def get_changeform_initial_data(self, request: HttpRequest) -> dict:
        initial = super().get_changeform_initial_data(request)
        course_id = request.GET.get("course", "")
        if course_id.isdigit():
            course = Course.objects.filter(pk=course_id).first()
            if course is not None:
                initial.update(course=course.pk, **course.session_defaults())
        initial.pop("duplicate", None)
        initial.pop("first_day", None)
        copy = session_copy_from_request(request)
        if copy is not None:
            initial.update(copy[0])
        if request.user.is_authenticated:
            initial.setdefault("adviser", request.user.pk)
        return initial

    def get_formset_kwargs(self, request, obj, inline, prefix):
        kwargs = super().get_formset_kwargs(request, obj, inline, prefix)
        copy = session_copy_from_request(request) if obj.pk is None else None
        if copy is not None and isinstance(inline, SessionDayInline):
            kwargs["initial"] = copy[1]
        return kwargs

    def save_related(self, request, form, formsets, change):
        days = [formset for formset in formsets if formset.model is SessionDay]
        # Read before the formset deletes them: people may have these days in their calendar.
        removed_ids = [f.instance.pk for fs in days for f in fs.deleted_forms if f.instance.pk]
        removed = list(SessionDay.objects.filter(pk__in=removed_ids)) if removed_ids else []
        super().save_related(request, form, formsets, change)
        session = form.instance  # its span follows the days saved above (SessionDay.save)
        if not change:
            return
        if "location" in form.changed_data:
            moved = list(session.days.values_list("pk", flat=True))
        else:
            moved = [
                day.pk
                for formset in days
                for day, fields in formset.changed_objects
                if {"date", "start_time", "end_time"} & set(fields)
            ]
        added = [day.pk for formset in days for day in formset.new_objects]
        if moved:
            session_days_revise(day_ids=moved)
        if moved or added or removed:
            self.schedule_changed(request, session, changed=moved + added, removed=removed)

    def schedule_changed(self, request, session: Session, *, changed: list, removed: list):
        """Days were moved, added or removed, or the place changed (the enrolments admin
        tells the people enrolled)."""

    @admin.display(description=_("eerste dag"), ordering="starts_at")
    def first_day(self, obj: Session) -> str:
        if obj.starts_at is None:
            return "—"
        return date_format(timezone.localtime(obj.starts_at), "D j b Y, H:i")

    @admin.display(description=_("inschrijven tot"), ordering="registration_deadline")
    def deadline(self, obj: Session) -> str:
        if obj.registration_deadline is None:
            return "—"
        return date_format(timezone.localtime(obj.registration_deadline), "j b Y, H:i")

    @admin.display(description=_("training"), ordering="course__title")
    def course_title(self, obj: Session) -> str:
        return Truncator(obj.course.title).chars(48)

    @admin.display(description=_("plaats"), ordering="location__city")
    def place(self, obj: Session) -> str:
        return obj.location.place

    @admin.display(description=_("bezetting"))
    def fill(self, obj: Session) -> str:
        text = _("%(registered)s van %(capacity)s") % {
            "registered": obj.registered_count,
            "capacity": obj.capacity,
        }
        if obj.min_participants:
            text += " " + _("(min. %(minimum)s)") % {"minimum": obj.min_participants}
        if obj.waitlisted_count:
            text += " · " + _("%(count)s op wachtlijst") % {"count": obj.waitlisted_count}
        return text

    @admin.action(description=_("Dupliceer naar een nieuwe datum"))
    def duplicate(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(
                request, _("Kies precies één sessie om te dupliceren."), messages.WARNING
            )
            return None
        session = queryset.get()
        form = DuplicateSessionForm(request.POST if "first_day" in request.POST else None)
        if form.is_valid():
            # Nothing is saved here: the add form opens with the copy's values, and the copy
            # exists (and is public) only once the adviser saves it.
            self.message_user(
                request,
                _("Dit is een kopie die nog niet bestaat. Controleer de gegevens en sla op."),
                messages.INFO,
            )
            query = {"duplicate": session.pk, "first_day": form.cleaned_data["first_day"]}
            return HttpResponseRedirect(
                reverse("admin:trainings_session_add") + "?" + urlencode(query)
            )
        context = {
            **self.admin_site.each_context(request),
            "title": _("Sessie dupliceren"),
            "session": session,
            "form": form,
            "opts": self.model._meta,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/trainings/session/duplicate.html", context)
