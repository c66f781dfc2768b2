"""A name is a name in every public form: one line, no web address, a sane length."""

import pytest

from enrolments.public.forms import (
    ColleagueForm,
    EnrolmentForm,
    GroupEnrolmentForm,
    InterestForm,
    SessionRequestForm,
    SubstituteForm,
)
from enrolments.public.validators import validate_plain_text
from tests.factories import SessionFactory

pytestmark = pytest.mark.django_db

PERSON = {"first_name": "Piet", "last_name": "Jansen", "email": "piet@example.org"}

# form class, valid data, the fields holding a name or an organisation
FORMS = {
    "single": (
        EnrolmentForm,
        {**PERSON, "organisation": "Bibliotheek Gouda", "privacy": "on"},
        ["first_name", "last_name", "organisation", "job_title"],
    ),
    "group row": (ColleagueForm, PERSON, ["first_name", "last_name", "job_title"]),
    "group sender": (
        GroupEnrolmentForm,
        {
            "organisation": "Bibliotheek Gouda",
            "submitted_by_name": "Ans Teamleider",
            "submitted_by_email": "ans@example.org",
            "privacy": "on",
        },
        ["organisation", "submitted_by_name"],
    ),
    "hand-over": (SubstituteForm, PERSON, ["first_name", "last_name", "job_title"]),
    "interest": (
        InterestForm,
        {"email": "piet@example.org", "organisation": "Bieb", "city": "Gouda", "consent": "on"},
        ["organisation", "city"],
    ),
    "request": (
        SessionRequestForm,
        {
            "organisation": "Gemeente Gouda",
            "contact_name": "Piet Jansen",
            "email": "piet@example.org",
            "participants": "12",
        },
        ["organisation", "contact_name"],
    ),
}

BAD = {
    "line break": "Piet\r\n\r\nUw account wordt geblokkeerd",
    "newline": "Piet\nJansen",
    "tab": "Piet\tJansen",
    "nul": "Piet\x00",
    "zero-width": "Pi\u200bet",
    "bidi override": "Piet\u202eneznaJ",
    "line separator": "Piet\u2028Jansen",
    "http": "Bevestig via https://evil.example/x",
    "http without colon": "zie http evil",
    "www": "www.bank-bevestiging.nl",
    "scheme": "ftp://evil",
    "bare domain": "ga naar example.com",
    "bare domain with path": "bank.nl/login",
    "subdomain": "login.bank.example",
}


def make(form_class, data):
    if form_class in (EnrolmentForm, GroupEnrolmentForm):
        return form_class(data, session=SessionFactory())
    return form_class(data)


@pytest.mark.parametrize("name", FORMS)
def test_the_valid_example_passes(name):
    form_class, data, _fields = FORMS[name]
    form = make(form_class, data)
    assert form.is_valid(), form.errors


@pytest.mark.parametrize("kind", BAD)
@pytest.mark.parametrize("name", FORMS)
def test_every_name_field_refuses_bad_input(name, kind):
    form_class, data, fields = FORMS[name]
    for field in fields:
        form = make(form_class, {**data, field: BAD[kind]})
        assert not form.is_valid()
        assert field in form.errors, f"{name}.{field} accepted {kind}"


@pytest.mark.parametrize("name", FORMS)
def test_names_and_organisations_have_a_sane_length(name):
    form_class, data, fields = FORMS[name]
    for field in fields:
        limit = make(form_class, data).fields[field].max_length
        assert limit <= 120
        too_long = make(form_class, {**data, field: "a" * (limit + 1)})
        assert field in too_long.errors
    for field in {"first_name", "last_name"} & set(fields):
        assert make(form_class, data).fields[field].max_length == 60


@pytest.mark.parametrize(
    "value",
    [
        "Zoë",
        "Jan-Willem",
        "van der Berg-d'Hondt",
        "J.P. Bakker",
        "J.P.Bakker",
        "Ørsted",
        "Bibliotheek Gouda e.o.",
        "Bibliotheek Midden-Brabant",
        "OCMW Sint-Jans-Molenbeek",
        "St. Anna",
    ],
)
def test_real_names_pass(value):
    validate_plain_text(value)


def test_the_message_is_dutch_and_says_what_to_do():
    form = make(ColleagueForm, {**PERSON, "first_name": "Piet bank.nl"})
    assert form.errors["first_name"] == ["Vul alleen een naam in, zonder webadres of link."]
    form = make(ColleagueForm, {**PERSON, "first_name": "Piet\nJ"})
    assert form.errors["first_name"] == [
        "Gebruik alleen gewone letters en tekens, zonder regeleinden."
    ]
