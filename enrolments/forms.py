"""Public forms. Only what is needed is asked (AVG): no phone, no address, no birth date."""

from django import forms
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from trainings.models import Session


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


class EnrolmentForm(HoneypotForm):
    first_name = forms.CharField(
        label=_("Voornaam"),
        max_length=100,
        widget=forms.TextInput(attrs={"autocomplete": "given-name"}),
    )
    last_name = forms.CharField(
        label=_("Achternaam"),
        max_length=100,
        widget=forms.TextInput(attrs={"autocomplete": "family-name"}),
    )
    email = forms.EmailField(
        label=_("E-mailadres"),
        max_length=254,
        help_text=_("Hierheen sturen we de bevestiging en de link om je inschrijving te beheren."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    organisation = forms.CharField(
        label=_("Organisatie"),
        max_length=200,
        help_text=_("De bibliotheek, gemeente of organisatie waarvoor je werkt."),
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
    )
    job_title = forms.CharField(
        label=_("Functie"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "organization-title"}),
    )
    invitation_code = forms.CharField(
        label=_("Uitnodigingscode"),
        max_length=40,
        required=False,
        help_text=_(
            "Alleen nodig als je niet bij de organisatie hoort waarvoor de sessie is gereserveerd."
        ),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
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

    def __init__(self, *args, session: Session, **kwargs):
        super().__init__(*args, **kwargs)
        self.session = session
        self.fields["privacy"].label = privacy_label()
        if not session.reserved_for:
            del self.fields["invitation_code"]


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
    organisation = forms.CharField(
        label=_("Organisatie"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
    )
    city = forms.CharField(
        label=_("Plaats of regio"),
        max_length=100,
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
    organisation = forms.CharField(
        label=_("Organisatie"),
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
    )
    contact_name = forms.CharField(
        label=_("Naam contactpersoon"),
        max_length=200,
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
