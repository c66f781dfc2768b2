"""Public forms. Only what is needed is asked (AVG): no phone, no address, no birth date."""

from django import forms
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from enrolments.public.validators import (
    FULL_NAME_MAX_LENGTH,
    NAME_MAX_LENGTH,
    ORGANISATION_MAX_LENGTH,
    validate_plain_text,
)
from trainings.models import Session


class NameField(forms.CharField):
    """A person's name or a place: one line of plain text, no web address, not too long."""

    default_validators = [validate_plain_text]

    def __init__(self, *, max_length: int = NAME_MAX_LENGTH, **kwargs):
        super().__init__(max_length=max_length, **kwargs)


class OrganisationField(NameField):
    def __init__(self, *, max_length: int = ORGANISATION_MAX_LENGTH, **kwargs):
        super().__init__(max_length=max_length, **kwargs)


def privacy_label() -> str:
    return format_html(
        '{} <a href="{}">{}</a>',
        gettext("Ik heb de"),
        reverse("catalogue:privacy"),
        gettext("privacyverklaring gelezen"),
    )


class HoneypotForm(forms.Form):
    """A field people never see and bots fill in; a filled-in form is quietly ignored."""

    website = forms.CharField(
        label=_("Laat dit veld leeg"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    @property
    def is_bot(self) -> bool:
        return bool(self.data.get("website", "").strip())


class SessionEnrolmentForm(HoneypotForm):
    """What the single and the group enrolment form share: the invitation code, asked only for
    a reserved session, and the privacy check (a `privacy` field) linking to the statement."""

    invitation_code = forms.CharField(
        label=_("Uitnodigingscode"),
        max_length=40,
        required=False,
        help_text=_(
            "Alleen nodig als je niet bij de organisatie hoort waarvoor de sessie is gereserveerd."
        ),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )

    def __init__(self, *args, session: Session, **kwargs):
        super().__init__(*args, **kwargs)
        self.session = session
        self.fields["privacy"].label = privacy_label()
        if not session.reserved_for:
            del self.fields["invitation_code"]


class EnrolmentForm(SessionEnrolmentForm):
    first_name = NameField(
        label=_("Voornaam"),
        widget=forms.TextInput(attrs={"autocomplete": "given-name"}),
    )
    last_name = NameField(
        label=_("Achternaam"),
        widget=forms.TextInput(attrs={"autocomplete": "family-name"}),
    )
    email = forms.EmailField(
        label=_("E-mailadres"),
        max_length=254,
        help_text=_("Hierheen sturen we de bevestiging en de link om je inschrijving te beheren."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    organisation = OrganisationField(
        label=_("Organisatie"),
        help_text=_("De bibliotheek, gemeente of organisatie waarvoor je werkt."),
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
    )
    job_title = NameField(
        label=_("Functie"),
        max_length=FULL_NAME_MAX_LENGTH,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "organization-title"}),
    )
    privacy = forms.BooleanField(
        label=_("Ik heb de privacyverklaring gelezen"),
        error_messages={
            "required": _("Lees de privacyverklaring en vink dit vakje aan om je in te schrijven.")
        },
    )

    field_order = [
        "first_name",
        "last_name",
        "email",
        "organisation",
        "job_title",
        "invitation_code",
        "privacy",
        "website",
    ]


class CancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Reden"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Helpt de organisator; je hoeft niets in te vullen."),
    )


class InterestForm(HoneypotForm):
    email = forms.EmailField(
        label=_("E-mailadres"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    organisation = OrganisationField(
        label=_("Organisatie"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
    )
    city = NameField(
        label=_("Plaats of regio"),
        required=False,
        help_text=_("Zo weten we waar een sessie welkom is."),
        widget=forms.TextInput(attrs={"autocomplete": "address-level2"}),
    )
    consent = forms.BooleanField(
        label=_("Ja, mail mij één keer zodra er een sessie van deze training gepland is."),
        error_messages={
            "required": _("Zonder je toestemming kunnen we je niet mailen; vink het vakje aan.")
        },
    )

    field_order = ["email", "organisation", "city", "consent", "website"]


class SessionRequestForm(HoneypotForm):
    organisation = OrganisationField(
        label=_("Organisatie"),
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
    )
    contact_name = NameField(
        label=_("Naam contactpersoon"),
        max_length=FULL_NAME_MAX_LENGTH,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    email = forms.EmailField(
        label=_("E-mailadres"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    phone = forms.CharField(
        label=_("Telefoon"),
        max_length=50,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )
    participants = forms.IntegerField(
        label=_("Aantal deelnemers"),
        min_value=1,
        max_value=10000,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    preferred_period = forms.CharField(
        label=_("Gewenste periode"),
        max_length=200,
        required=False,
        help_text=_("Bijvoorbeeld: voorjaar 2027, of een paar mogelijke data."),
    )
    message = forms.CharField(
        label=_("Toelichting"),
        max_length=3000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args, course=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.max_participants = course.max_per_group if course is not None else None
        if self.max_participants:
            self.fields["participants"].help_text = _(
                "Maximaal %(max)s per organisatie per sessie."
            ) % {"max": self.max_participants}

    def clean_participants(self) -> int:
        participants = self.cleaned_data["participants"]
        if self.max_participants and participants > self.max_participants:
            raise forms.ValidationError(
                _(
                    "Deze training is voor maximaal %(max)s deelnemers per organisatie per "
                    "sessie. Vul %(max)s of minder in; voor meer mensen kun je in de "
                    "toelichting om meer sessies vragen."
                )
                % {"max": self.max_participants}
            )
        return participants

    field_order = [
        "organisation",
        "contact_name",
        "email",
        "phone",
        "participants",
        "preferred_period",
        "message",
        "website",
    ]


class ColleagueForm(forms.Form):
    """One row of the group form: a colleague to enrol."""

    first_name = NameField(
        label=_("Voornaam"), widget=forms.TextInput(attrs={"autocomplete": "off"})
    )
    last_name = NameField(
        label=_("Achternaam"), widget=forms.TextInput(attrs={"autocomplete": "off"})
    )
    email = forms.EmailField(
        label=_("E-mailadres"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    job_title = NameField(
        label=_("Functie"),
        max_length=FULL_NAME_MAX_LENGTH,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )


class BaseColleagueFormSet(forms.BaseFormSet):
    default_error_messages = {
        "too_many_forms": _(
            "Schrijf met één formulier maximaal %(num)d collega's in; verdeel de rest over "
            "een tweede formulier."
        ),
    }

    def clean(self):
        seen = {}
        filled = 0
        for index, form in enumerate(self.forms):
            if not form.has_changed():
                continue  # an empty row
            filled += 1
            email = getattr(form, "cleaned_data", {}).get("email")
            if not email:
                continue
            key = email.casefold()
            if key in seen:
                form.add_error(
                    "email",
                    gettext("Dit e-mailadres staat al in rij %(row)s.") % {"row": seen[key] + 1},
                )
            else:
                seen[key] = index
        if not filled:
            raise forms.ValidationError(
                gettext("Vul ten minste één collega in: voornaam, achternaam en e-mailadres.")
            )

    @property
    def people(self) -> list[dict]:
        return [form.cleaned_data for form in self.forms if form.cleaned_data.get("email")]


# Rows per group form; a session's cap per organisation makes it smaller (group_row_limit).
MAX_COLLEAGUES = 16


def colleague_formset(data=None, *, max_rows: int = MAX_COLLEAGUES) -> BaseColleagueFormSet:
    """The rows of the group form, at most max_rows: more are refused, never half-read."""
    formset_class = forms.formset_factory(
        ColleagueForm,
        formset=BaseColleagueFormSet,
        extra=min(2, max_rows),  # rows on a new form; more can be added, empty rows are ignored
        max_num=max_rows,
        absolute_max=max_rows,
        validate_max=True,
    )
    return formset_class(data)


class GroupEnrolmentForm(SessionEnrolmentForm):
    """The rest of the group form: the organisation, who sends it, and the privacy check."""

    organisation = OrganisationField(
        label=_("Organisatie"),
        help_text=_("Alle collega's in dit formulier werken voor deze organisatie."),
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
    )
    submitted_by_name = NameField(
        label=_("Jouw naam"),
        max_length=FULL_NAME_MAX_LENGTH,
        help_text=_("Bijvoorbeeld de teamleider of opleidingscoördinator."),
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    submitted_by_email = forms.EmailField(
        label=_("Jouw e-mailadres"),
        max_length=254,
        help_text=_(
            "Hierheen sturen we een link om de aanmelding te bevestigen. Pas daarna schrijven "
            "we je collega's in."
        ),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    privacy = forms.BooleanField(
        label=_("Ik heb de privacyverklaring gelezen"),
        error_messages={
            "required": _(
                "Lees de privacyverklaring en vink dit vakje aan om je collega's in te schrijven."
            )
        },
    )

    field_order = [
        "website",
        "organisation",
        "submitted_by_name",
        "submitted_by_email",
        "invitation_code",
        "privacy",
    ]


class SubstituteForm(ColleagueForm):
    """The colleague who takes over a place: the fields of a colleague on the group form,
    labelled for the person handing over."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["first_name"].label = _("Voornaam van je collega")
        self.fields["last_name"].label = _("Achternaam van je collega")
        self.fields["email"].label = _("E-mailadres van je collega")
        self.fields["email"].help_text = _("Je collega krijgt de bevestiging en een eigen link.")
