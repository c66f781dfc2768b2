"""Admin pages that are no model's list: the workplace, a person's data, the cost overview."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import JsonResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _

from enrolments.admin.dashboard import dashboard
from enrolments.privacy.services import person_erase, person_export, person_records
from enrolments.settlement.cost_overview import cost_overview


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
