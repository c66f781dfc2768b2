"""Enrolling several colleagues of one organisation at once: the service and the page."""

import pytest
from django.test import override_settings
from django.urls import reverse

from enrolments import services
from enrolments.models import Enrolment, EnrolmentGroup, Organisation, QueuedEmail
from tests.factories import EnrolmentFactory, SessionFactory

pytestmark = pytest.mark.django_db

R, W = "registered", "waitlisted"


def people(count: int, prefix: str = "collega") -> list[services.Person]:
    return [
        services.Person("Anna", f"{prefix}{i}", f"{prefix}{i}@example.org", "IDO-medewerker")
        for i in range(count)
    ]


def enrol_group(session, persons, organisation="Bibliotheek Gouda", **kwargs):
    return services.group_enrolment_create(
        session_id=session.pk,
        organisation=organisation,
        people=persons,
        submitted_by_name=kwargs.pop("submitted_by_name", "Ans Teamleider"),
        submitted_by_email=kwargs.pop("submitted_by_email", "ans@example.org"),
        **kwargs,
    )


# -- The service ------------------------------------------------------------------------------


def test_group_fills_the_places_in_row_order_then_the_waiting_list():
    session = SessionFactory(capacity=3)
    result = enrol_group(session, people(5))
    assert [item.outcome for _person, item in result.results] == [
        services.Outcome(R),
        services.Outcome(R),
        services.Outcome(R),
        services.Outcome(W, 1),
        services.Outcome(W, 2),
    ]
    rows = list(session.enrolments.order_by("created_at", "pk"))
    assert [row.last_name for row in rows] == [f"collega{i}" for i in range(5)]
    assert [row.status for row in rows] == [R, R, R, W, W]


def test_group_respects_the_cap_per_organisation():
    session = SessionFactory(capacity=10, max_per_organisation=2)
    EnrolmentFactory(session=session, organisation="Bibliotheek Gouda")
    result = enrol_group(session, people(3))
    assert [item.outcome.status for _person, item in result.results] == [R, W, W]
    # Someone of another organisation still gets one of the free places.
    other = services.enrolment_create(
        session_id=session.pk,
        first_name="Bram",
        last_name="Bos",
        email="bram@example.org",
        organisation="Bibliotheek Delft",
    )
    assert other.outcome.status == R


def test_each_colleague_gets_their_own_mail_and_the_sender_a_summary():
    session = SessionFactory(capacity=1)
    enrol_group(session, people(2))
    mails = QueuedEmail.objects.order_by("pk")
    assert [(m.kind, m.to) for m in mails] == [
        ("registered", "collega0@example.org"),
        ("waitlisted", "collega1@example.org"),
        ("group_received", "ans@example.org"),
    ]
    assert "/inschrijving/" in mails[0].body_text  # their own self-service link
    summary = mails[2].body_text
    assert "collega0" in summary and "collega1" in summary
    assert "/inschrijving/" not in summary  # nobody else's link


def test_who_enrolled_the_group_is_kept():
    session = SessionFactory()
    result = enrol_group(session, people(2), submitted_by_name="Ans  Teamleider")
    group = EnrolmentGroup.objects.get()
    assert group.submitted_by_name == "Ans Teamleider"
    assert group.submitted_by_email == "ans@example.org"
    assert {e.group_id for e in session.enrolments.all()} == {group.pk}
    assert result.group == group
    event = session.enrolments.first().events.get()
    assert "Ans Teamleider" in event.note
    assert Organisation.objects.filter(key="bibliotheek gouda").exists()


def test_an_address_already_enrolled_gets_no_second_row_and_reveals_nothing():
    session = SessionFactory(capacity=5)
    EnrolmentFactory(session=session, email="collega1@example.org")
    result = enrol_group(session, people(3))
    assert session.enrolments.count() == 3  # the existing one and two new
    outcomes = [item.outcome for _person, item in result.results]
    assert all(outcome.status == R for outcome in outcomes)  # as for anyone new
    assert [item.created for _person, item in result.results] == [True, False, True]


def test_the_same_address_twice_in_one_group_is_enrolled_once():
    session = SessionFactory()
    persons = [*people(1), services.Person("Anna", "Dubbel", "COLLEGA0@example.org")]
    enrol_group(session, persons)
    assert session.enrolments.count() == 1


def test_a_reserved_session_refuses_another_organisations_group():
    session = SessionFactory(reserved_for="Bibliotheek Delft")
    with pytest.raises(services.ReservedSession):
        enrol_group(session, people(2))
    assert not session.enrolments.exists()
    assert not EnrolmentGroup.objects.exists()


# -- The page ----------------------------------------------------------------------------------


def url(session) -> str:
    return reverse("enrolments:group-enrol", args=[session.pk])


def form_data(rows: list[tuple[str, str, str]], **overrides) -> dict:
    data = {
        "organisation": "Bibliotheek Gouda",
        "submitted_by_name": "Ans Teamleider",
        "submitted_by_email": "ans@example.org",
        "privacy": "on",
        "website": "",
        "form-TOTAL_FORMS": str(len(rows)),
        "form-INITIAL_FORMS": "0",
        "form-MIN_NUM_FORMS": "0",
        "form-MAX_NUM_FORMS": "50",
        "action": "enrol",
    }
    for i, (first, last, email) in enumerate(rows):
        data.update(
            {
                f"form-{i}-first_name": first,
                f"form-{i}-last_name": last,
                f"form-{i}-email": email,
                f"form-{i}-job_title": "",
            }
        )
    data.update(overrides)
    return data


def test_the_form_has_the_contract_labels_and_two_empty_rows(client):
    html = client.get(url(SessionFactory())).content.decode()
    for label in ["Organisatie", "Voornaam", "Achternaam", "E-mailadres", "Functie"]:
        assert label in html
    assert "privacyverklaring gelezen" in html
    assert 'name="form-TOTAL_FORMS" value="2"' in html
    assert html.count('name="form-1-email"') == 1


def test_enrolling_colleagues_shows_each_outcome(client):
    session = SessionFactory(capacity=1)
    rows = [("Piet", "Jansen", "piet@example.org"), ("", "", ""), ("Kees", "Vos", "kees@ex.org")]
    response = client.post(url(session), form_data(rows))
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "Piet Jansen" in page and "Ingeschreven" in page
    assert "Kees Vos" in page and "Wachtlijst, plaats 1" in page
    assert session.enrolments.count() == 2  # the empty row did not count


def test_adding_a_row_without_javascript_keeps_what_was_typed(client):
    session = SessionFactory()
    data = form_data([("Piet", "Jansen", "piet@example.org")], action="add", privacy="")
    response = client.post(url(session), data)
    html = response.content.decode()
    assert response.status_code == 200
    assert 'name="form-TOTAL_FORMS" value="2"' in html
    assert 'value="piet@example.org"' in html
    assert "field--error" not in html  # asking for a row is not a mistake
    assert not Enrolment.objects.exists()


def test_removing_a_row_without_javascript_renumbers_the_rest(client):
    session = SessionFactory()
    rows = [("A", "Een", "a@ex.org"), ("B", "Twee", "b@example.org"), ("C", "Drie", "c@ex.org")]
    html = client.post(url(session), form_data(rows, action="remove-1")).content.decode()
    assert 'name="form-TOTAL_FORMS" value="2"' in html
    assert 'name="form-1-email" value="c@ex.org"' in html
    assert "b@example.org" not in html


def test_mistakes_are_shown_per_row_and_nothing_is_stored(client):
    session = SessionFactory()
    rows = [
        ("Piet", "Jansen", "piet@example.org"),
        ("Kees", "", "kees@example.org"),  # no surname
        ("Piet", "Dubbel", "PIET@example.org"),  # the same address twice
    ]
    response = client.post(url(session), form_data(rows, privacy=""))
    html = response.content.decode()
    assert response.status_code == 400
    assert "Collega 2, achternaam" in html
    assert "Dit e-mailadres staat al in rij 1." in html
    assert "privacyverklaring" in html
    assert not Enrolment.objects.exists()


def test_a_form_without_any_colleague_is_refused(client):
    response = client.post(url(SessionFactory()), form_data([("", "", "")]))
    assert response.status_code == 400
    assert "Vul ten minste één collega in" in response.content.decode()


def test_a_closed_session_shows_no_form(client):
    session = SessionFactory(days=[-1])
    html = client.get(url(session)).content.decode()
    assert "De inschrijving voor deze sessie is gesloten." in html
    assert "form-TOTAL_FORMS" not in html


def test_the_result_page_needs_the_visitors_own_result(client):
    session = SessionFactory()
    page = client.get(reverse("enrolments:group-enrolled", args=[session.pk]))
    assert page.status_code == 400


@override_settings(RATELIMIT_POSTS=2)
def test_asking_for_rows_does_not_count_towards_the_rate_limit(client):
    session = SessionFactory()
    for _ in range(4):
        add = form_data([("", "", "")], action="add")
        assert client.post(url(session), add).status_code == 200
    rows = [("Piet", "Jansen", "piet@example.org")]
    assert client.post(url(session), form_data(rows)).status_code == 302


def test_the_course_page_offers_the_group_form(client):
    session = SessionFactory()
    html = client.get(session.course.get_absolute_url()).content.decode()
    assert url(session) in html


@pytest.mark.parametrize(
    "tampered",
    [
        {"form-TOTAL_FORMS": "abc", "action": "add"},
        {"form-TOTAL_FORMS": "-5", "action": "remove-0"},
        {"form-TOTAL_FORMS": "999999", "action": "add"},
        {"form-TOTAL_FORMS": "abc"},
        {"form-TOTAL_FORMS": "999999"},
        {"action": "remove-abc"},
        {"action": "something-else"},
    ],
)
def test_tampered_forms_get_a_page_not_an_error(client, tampered):
    rows = [("Piet", "Jansen", "piet@example.org")]
    response = client.post(url(SessionFactory()), form_data(rows, **tampered))
    assert response.status_code in (200, 302, 400)
    assert Enrolment.objects.count() <= 1
