"""Enrolling several colleagues of one organisation at once: a request that its sender
confirms by mail (double opt-in), then everyone placed in row order under the caps."""

import datetime
import re

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from enrolments.models import Enrolment, EnrolmentGroup, Organisation, QueuedEmail
from enrolments.places import groups, services
from enrolments.places.tokens import group_from_token
from tests.factories import EnrolmentFactory, SessionFactory
from tests.outbox import rendered

pytestmark = pytest.mark.django_db

R, W = "registered", "waitlisted"


def people(count: int, prefix: str = "collega") -> list[services.Person]:
    return [
        services.Person("Anna", f"{prefix}{i}", f"{prefix}{i}@example.org", "IDO-medewerker")
        for i in range(count)
    ]


def request_group(session, persons, organisation="Bibliotheek Gouda", **kwargs):
    return groups.group_enrolment_create(
        session_id=session.pk,
        organisation=organisation,
        people=persons,
        submitted_by_name=kwargs.pop("submitted_by_name", "Ans Teamleider"),
        submitted_by_email=kwargs.pop("submitted_by_email", "ans@example.org"),
        **kwargs,
    )


def enrol_group(session, persons, **kwargs):
    """Send the form and confirm it, as the sender does with the link in their mail."""
    group = request_group(session, persons, **kwargs)
    return groups.group_enrolment_confirm(group_id=group.pk)


# -- Sending the form: a request, nothing more -------------------------------------------------


def test_sending_the_form_places_nobody_and_mails_only_the_sender():
    session = SessionFactory(capacity=3)
    group = request_group(session, people(5))
    assert not Enrolment.objects.exists()
    assert [(m.kind, m.to) for m in QueuedEmail.objects.all()] == [
        ("group_confirm", "ans@example.org")
    ]
    assert group.confirmed_at is None and group.size == 5
    assert not Organisation.objects.exists()  # not even the organisation is registered yet


def test_the_confirmation_mail_carries_none_of_the_typed_text():
    session = SessionFactory(course__title="Privacy in het IDO")
    persons = [services.Person("Klant", "Uw account wordt geblokkeerd", "x@example.org")]
    group = request_group(session, persons, submitted_by_name="Bank Helpdesk")
    mail = QueuedEmail.objects.get()
    mail = rendered(mail)
    for body in (mail.subject, mail.body_text, mail.body_html):
        for typed in ("Klant", "geblokkeerd", "Bank Helpdesk", "Bibliotheek Gouda", "x@example"):
            assert typed not in body
    assert "Privacy in het IDO" in rendered(mail).body_text
    assert "1 collega in te schrijven" in rendered(mail).body_text
    # Signed with a timestamp: compare which group the link confirms, not its characters.
    assert group_from_token(confirm_link().split("/")[-2]).pk == group.pk
    assert "/inschrijving/" not in mail.body_text  # no self-service link of anyone


def test_the_number_of_rows_is_at_most_sixteen():
    session = SessionFactory(capacity=100)
    request_group(session, people(16))
    with pytest.raises(groups.GroupTooLarge) as error:
        request_group(session, people(17, "meer"))
    assert "maximaal 16 collega's" in error.value.message
    assert EnrolmentGroup.objects.count() == 1


def test_a_smaller_cap_per_organisation_is_the_row_limit():
    session = SessionFactory(capacity=100, max_per_organisation=3)
    assert groups.group_row_limit(session) == 3
    with pytest.raises(groups.GroupTooLarge):
        request_group(session, people(4))
    assert not EnrolmentGroup.objects.exists()


def test_a_reserved_session_refuses_another_organisations_group():
    session = SessionFactory(reserved_for="Bibliotheek Delft")
    with pytest.raises(services.ReservedSession):
        request_group(session, people(2))
    assert not EnrolmentGroup.objects.exists()
    assert not QueuedEmail.objects.exists()


def test_a_closed_session_takes_no_request():
    session = SessionFactory(days=[-1])
    with pytest.raises(services.EnrolmentError):
        request_group(session, people(1))
    assert not EnrolmentGroup.objects.exists()


# -- Confirming: everyone placed in row order under the caps ----------------------------------


def test_confirming_fills_the_places_in_row_order_then_the_waiting_list():
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


def test_confirming_respects_the_cap_per_organisation():
    session = SessionFactory(capacity=10, max_per_organisation=3)
    EnrolmentFactory(session=session, organisation="Bibliotheek Gouda")
    result = enrol_group(session, people(3))
    assert [item.outcome.status for _person, item in result.results] == [R, R, W]
    other = services.enrolment_create(
        session_id=session.pk,
        first_name="Bram",
        last_name="Bos",
        email="bram@example.org",
        organisation="Bibliotheek Delft",
    )
    assert other.outcome.status == R


def test_places_taken_meanwhile_count_when_confirming():
    session = SessionFactory(capacity=2)
    group = request_group(session, people(2))
    EnrolmentFactory(session=session)  # someone else enrolled before the sender confirmed
    result = groups.group_enrolment_confirm(group_id=group.pk)
    assert [item.outcome for _person, item in result.results] == [
        services.Outcome(R),
        services.Outcome(W, 1),
    ]


def test_after_confirming_each_colleague_gets_their_own_mail_and_nobody_a_summary():
    session = SessionFactory(capacity=1)
    enrol_group(session, people(2))
    mails = QueuedEmail.objects.order_by("pk")
    assert [(m.kind, m.to) for m in mails] == [
        ("group_confirm", "ans@example.org"),
        ("registered", "collega0@example.org"),
        ("waitlisted", "collega1@example.org"),
    ]
    assert "/inschrijving/" in rendered(mails[1]).body_text  # their own self-service link


def test_confirming_twice_does_nothing_the_second_time():
    session = SessionFactory()
    group = request_group(session, people(2))
    assert groups.group_enrolment_confirm(group_id=group.pk) is not None
    mails = QueuedEmail.objects.count()
    assert groups.group_enrolment_confirm(group_id=group.pk) is None
    assert session.enrolments.count() == 2
    assert QueuedEmail.objects.count() == mails


def test_who_enrolled_the_group_is_kept_and_the_typed_rows_are_not():
    session = SessionFactory()
    result = enrol_group(session, people(2), submitted_by_name="Ans  Teamleider")
    group = EnrolmentGroup.objects.get()
    assert group.submitted_by_name == "Ans Teamleider"
    assert group.submitted_by_email == "ans@example.org"
    assert group.confirmed_at is not None
    assert group.people == []  # they live on as enrolments only
    assert {e.group_id for e in session.enrolments.all()} == {group.pk}
    assert result.group == group
    event = session.enrolments.first().events.get()
    assert "Ans Teamleider" in event.note
    assert Organisation.objects.filter(key="bibliotheek gouda").exists()


def test_an_address_already_enrolled_gets_no_second_row():
    session = SessionFactory(capacity=5)
    EnrolmentFactory(session=session, email="collega1@example.org")
    result = enrol_group(session, people(3))
    assert session.enrolments.count() == 3  # the existing one and two new
    assert [item.created for _person, item in result.results] == [True, False, True]


def test_the_same_address_twice_in_one_group_is_enrolled_once():
    session = SessionFactory()
    persons = [*people(1), services.Person("Anna", "Dubbel", "COLLEGA0@example.org")]
    enrol_group(session, persons)
    assert session.enrolments.count() == 1


def test_a_session_closed_before_confirming_places_nobody():
    session = SessionFactory()
    group = request_group(session, people(2))
    session.status = session.Status.CANCELLED
    session.save(update_fields=["status"])
    with pytest.raises(services.SessionCancelled):
        groups.group_enrolment_confirm(group_id=group.pk)
    assert not session.enrolments.exists()


# -- Expiry ------------------------------------------------------------------------------------


def age(group, hours: float) -> None:
    EnrolmentGroup.objects.filter(pk=group.pk).update(
        created_at=timezone.now() - datetime.timedelta(hours=hours)
    )


def test_an_expired_request_cannot_be_confirmed():
    session = SessionFactory()
    group = request_group(session, people(2))
    age(group, 49)
    with pytest.raises(groups.GroupRequestExpired):
        groups.group_enrolment_confirm(group_id=group.pk)
    assert not session.enrolments.exists()


@override_settings(GROUP_CONFIRMATION_HOURS=2)
def test_the_time_to_confirm_is_a_setting():
    session = SessionFactory()
    group = request_group(session, people(1))
    age(group, 3)
    with pytest.raises(groups.GroupRequestExpired):
        groups.group_enrolment_confirm(group_id=group.pk)


def test_expiring_deletes_unconfirmed_requests_and_their_mail_and_nothing_else():
    session = SessionFactory()
    old = request_group(session, people(2, "oud"), submitted_by_email="oud@example.org")
    fresh = request_group(session, people(1, "vers"))
    confirmed = request_group(session, people(1, "bevestigd"))
    groups.group_enrolment_confirm(group_id=confirmed.pk)
    age(old, 49)
    age(confirmed, 49)
    assert groups.group_requests_expire() == 1
    assert set(EnrolmentGroup.objects.values_list("pk", flat=True)) == {fresh.pk, confirmed.pk}
    assert not QueuedEmail.objects.filter(to="oud@example.org").exists()
    assert session.enrolments.count() == 1
    assert groups.group_requests_expire() == 0  # idempotent


def test_the_expire_command_purges(capsys):
    group = request_group(SessionFactory(), people(1))
    age(group, 49)
    call_command("expire_group_requests")
    assert not EnrolmentGroup.objects.exists()
    assert "1 onbevestigde" in capsys.readouterr().out


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
        "form-MAX_NUM_FORMS": "16",
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


def confirm_link() -> str:
    mail = QueuedEmail.objects.get(kind="group_confirm")
    return re.search(
        r"https?://[^/\s]+(/\S*groepsaanmelding/\S+/)", rendered(mail).body_text
    ).group(1)


def test_the_form_has_the_contract_labels_and_two_empty_rows(client):
    html = client.get(url(SessionFactory())).content.decode()
    for label in ["Organisatie", "Voornaam", "Achternaam", "E-mailadres", "Functie"]:
        assert label in html
    assert "privacyverklaring gelezen" in html
    assert 'name="form-TOTAL_FORMS" value="2"' in html
    assert html.count('name="form-1-email"') == 1
    assert "Maximaal 16 collega's per formulier" in html
    assert "een link om de aanmelding te bevestigen" in html


def test_the_form_says_the_smaller_cap_per_organisation(client):
    html = client.get(url(SessionFactory(max_per_organisation=4))).content.decode()
    assert "Maximaal 4 collega's per formulier" in html
    assert 'name="form-MAX_NUM_FORMS" value="4"' in html


def test_sending_the_form_asks_to_check_the_mail_and_places_nobody(client):
    session = SessionFactory(capacity=1)
    rows = [("Piet", "Jansen", "piet@example.org"), ("", "", ""), ("Kees", "Vos", "kees@ex.org")]
    response = client.post(url(session), form_data(rows))
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "Bevestig je aanmelding via de e-mail" in page
    assert "Piet" not in page and "Kees" not in page
    assert not session.enrolments.exists()
    assert EnrolmentGroup.objects.get().size == 2  # the empty row did not count
    # Nothing personal in the visitor's server-side session either.
    assert client.session["group-enrolment-result"] == {"session": session.pk}


def test_opening_the_link_confirms_nothing_the_button_does(client):
    session = SessionFactory(capacity=1)
    rows = [("Piet", "Jansen", "piet@example.org"), ("Kees", "Vos", "kees@example.org")]
    client.post(url(session), form_data(rows))
    link = confirm_link()
    page = Client().get(link)  # a mail scanner, or the sender on another device
    assert page.status_code == 200
    assert "Aanmelding bevestigen" in page.content.decode()
    assert "no-store" in page["Cache-Control"]
    assert not session.enrolments.exists()
    response = Client().post(link)
    assert response.status_code == 302 and response["Location"] == link
    done = Client().get(link).content.decode()
    assert "Je collega's zijn aangemeld" in done
    assert "Aanmelding bevestigen" not in done
    statuses = dict(session.enrolments.values_list("email", "status"))
    assert statuses == {"piet@example.org": R, "kees@example.org": W}
    # A second press changes nothing and mails nobody.
    mails = QueuedEmail.objects.count()
    assert Client().post(link).status_code == 302
    assert QueuedEmail.objects.count() == mails
    assert session.enrolments.count() == 2


def test_a_link_after_expiry_gets_a_clear_page(client):
    session = SessionFactory()
    client.post(url(session), form_data([("Piet", "Jansen", "piet@example.org")]))
    link = confirm_link()
    age(EnrolmentGroup.objects.get(), 49)
    for response in (client.get(link), client.post(link)):
        assert response.status_code == 410
        assert "Deze aanmelding is verlopen" in response.content.decode()
    groups.group_requests_expire()
    response = client.post(link)
    assert response.status_code == 410
    assert "Deze aanmelding is verlopen" in response.content.decode()
    assert not session.enrolments.exists()


def test_an_altered_link_does_not_work(client):
    response = client.get(reverse("enrolments:group-confirm", args=["abc:def"]))
    assert response.status_code == 400


def test_more_rows_than_allowed_are_refused_with_a_message(client):
    session = SessionFactory(capacity=100)
    rows = [("Piet", "Jansen", f"p{i}@example.org") for i in range(17)]
    response = client.post(url(session), form_data(rows))
    assert response.status_code == 400
    assert "maximaal 16 collega&#x27;s" in response.content.decode()
    assert not EnrolmentGroup.objects.exists() and not QueuedEmail.objects.exists()


def test_rows_beyond_a_small_cap_per_organisation_are_refused(client):
    session = SessionFactory(capacity=100, max_per_organisation=2)
    rows = [("Piet", "Jansen", f"p{i}@example.org") for i in range(3)]
    response = client.post(url(session), form_data(rows))
    assert response.status_code == 400
    assert "maximaal 2 collega&#x27;s" in response.content.decode()
    assert not EnrolmentGroup.objects.exists()


def test_the_relay_post_is_refused_and_mails_nobody(client):
    """The measured attack: 50 rows, a first name carrying a message and a link."""
    session = SessionFactory(capacity=20)
    bait = "klant,\r\n\r\nUw account wordt geblokkeerd. Bevestig via https://evil.example/x"
    rows = [(bait, "Klant", f"slachtoffer{i}@example.org") for i in range(50)]
    response = client.post(url(session), form_data(rows))
    assert response.status_code == 400
    assert not QueuedEmail.objects.exists()
    assert not EnrolmentGroup.objects.exists() and not Enrolment.objects.exists()


def test_adding_a_row_without_javascript_keeps_what_was_typed(client):
    session = SessionFactory()
    data = form_data([("Piet", "Jansen", "piet@example.org")], action="add", privacy="")
    response = client.post(url(session), data)
    html = response.content.decode()
    assert response.status_code == 200
    assert 'name="form-TOTAL_FORMS" value="2"' in html
    assert 'value="piet@example.org"' in html
    assert "field--error" not in html  # asking for a row is not a mistake
    assert not EnrolmentGroup.objects.exists()


def test_adding_stops_at_the_row_limit(client):
    session = SessionFactory(max_per_organisation=2)
    rows = [("A", "Een", "a@example.org"), ("B", "Twee", "b@example.org")]
    html = client.post(url(session), form_data(rows, action="add")).content.decode()
    assert 'name="form-TOTAL_FORMS" value="2"' in html
    assert "Nog een collega toevoegen" not in html


def test_removing_a_row_without_javascript_renumbers_the_rest(client):
    session = SessionFactory()
    rows = [("A", "Een", "a@ex.org"), ("B", "Twee", "b@example.org"), ("C", "Drie", "c@ex.org")]
    html = client.post(url(session), form_data(rows, action="remove-1")).content.decode()
    assert 'name="form-TOTAL_FORMS" value="2"' in html
    assert 'name="form-1-email" value="c@ex.org"' in html
    assert "b@example.org" not in html


@pytest.mark.parametrize(
    "action", ["remove-99999999999999999999", "remove-3", "remove--1", "remove-", "remove-١"]
)
def test_removing_a_row_that_is_not_there_redraws_the_form_unchanged(client, action):
    session = SessionFactory()
    rows = [("A", "Een", "a@ex.org"), ("B", "Twee", "b@ex.org"), ("C", "Drie", "c@ex.org")]
    response = client.post(url(session), form_data(rows, action=action))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'name="form-TOTAL_FORMS" value="3"' in html
    for address in ("a@ex.org", "b@ex.org", "c@ex.org"):
        assert f'value="{address}"' in html


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
    assert not EnrolmentGroup.objects.exists()


def test_a_name_with_a_line_break_or_a_link_is_refused(client):
    session = SessionFactory()
    rows = [("Piet\r\nKlik hier", "Jansen", "piet@example.org"), ("Kees", "bank.com", "k@ex.org")]
    response = client.post(url(session), form_data(rows, submitted_by_name="www.bank.nl"))
    html = response.content.decode()
    assert response.status_code == 400
    assert "zonder regeleinden" in html
    assert "Jouw naam: Vul alleen een naam in, zonder webadres of link." in html
    assert "Collega 2, achternaam: Vul alleen een naam in, zonder webadres of link." in html
    assert not EnrolmentGroup.objects.exists() and not QueuedEmail.objects.exists()


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
        {"action": "remove-99999999999999999999"},
        {"action": "something-else"},
    ],
)
def test_tampered_forms_get_a_page_not_an_error(client, tampered):
    rows = [("Piet", "Jansen", "piet@example.org")]
    response = client.post(url(SessionFactory()), form_data(rows, **tampered))
    assert response.status_code in (200, 302, 400)
    assert Enrolment.objects.count() == 0


# -- Who attends what stays private ------------------------------------------------------------


def sender_sees(session, rows: list[tuple[str, str, str]]) -> list[str]:
    """Everything the sender gets, from sending the form to confirming it, as text."""
    sender = Client()
    seen = []
    response = sender.post(url(session), form_data(rows))
    seen.append(f"{response.status_code} {response['Location']}")
    seen.append(sender.get(response["Location"]).content.decode())
    mail = QueuedEmail.objects.get(kind="group_confirm", to="ans@example.org")
    seen += [rendered(mail).subject, mail.body_text, mail.body_html]
    link = confirm_link()
    seen.append(sender.get(link).content.decode())
    response = sender.post(link)
    seen.append(f"{response.status_code}")
    seen.append(sender.get(link).content.decode())
    # Only the sender's own mail: every other mail goes to a colleague.
    assert set(
        QueuedEmail.objects.exclude(to__endswith="@colleagues.example").values_list("to", flat=True)
    ) == {"ans@example.org"}
    return seen


def normalise(texts: list[str], rows) -> list[str]:
    out = []
    for text in texts:
        text = re.sub(r"groepsaanmelding/[^/\s\"]+/", "groepsaanmelding/TOKEN/", text)
        text = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "CSRF", text)
        for i, (first, last, email) in enumerate(rows):
            text = text.replace(email, f"EMAIL{i}").replace(first, f"FIRST{i}")
            text = text.replace(last, f"LAST{i}")
        out.append(text)
    return out


def test_what_the_sender_sees_does_not_depend_on_who_is_already_enrolled():
    session = SessionFactory(capacity=1)
    EnrolmentFactory(
        session=session,
        email="bekend@colleagues.example",
        created_at=timezone.now() - datetime.timedelta(hours=1),
    )
    known = [
        ("Bea", "Bekend", "bekend@colleagues.example"),
        ("Nina", "Nieuw", "nieuw@colleagues.example"),
    ]
    unknown = [
        ("Olaf", "Onbekend", "onbekend@colleagues.example"),
        ("Nina", "Nieuw", "nieuw@colleagues.example"),
    ]
    seen = {}
    for label, rows in (("known", known), ("unknown", unknown)):
        # The same starting point for both: what one run stores is rolled back.
        savepoint = transaction.savepoint()
        seen[label] = normalise(sender_sees(session, rows), rows)
        if label == "known":  # the enrolled colleague got their rule-6 mail, nothing else
            kinds = dict(
                QueuedEmail.objects.exclude(kind="group_confirm").values_list("to", "kind")
            )
            assert kinds == {
                "bekend@colleagues.example": "already_enrolled",
                "nieuw@colleagues.example": "waitlisted",
            }
        transaction.savepoint_rollback(savepoint)
    assert seen["known"] == seen["unknown"]


# -- Erasing a person reaches requests that wait for confirmation ------------------------------


def test_erasing_a_colleague_takes_them_out_of_an_unconfirmed_request():
    from enrolments.privacy.services import person_erase

    session = SessionFactory(capacity=5)
    group = request_group(session, people(3))
    person_erase("COLLEGA1@example.org")
    group.refresh_from_db()
    assert [row[2] for row in group.people] == ["collega0@example.org", "collega2@example.org"]
    assert group.size == 2
    groups.group_enrolment_confirm(group_id=group.pk)
    assert sorted(Enrolment.objects.values_list("email", flat=True)) == [
        "collega0@example.org",
        "collega2@example.org",
    ]


def test_erasing_the_sender_drops_the_rows_of_their_unconfirmed_request():
    from enrolments.privacy.services import person_erase

    session = SessionFactory(capacity=5)
    group = request_group(session, people(3), invitation_code="")
    person_erase("ans@example.org")
    group.refresh_from_db()
    assert group.people == [] and group.submitted_by_name == ""
    assert "ans@example.org" not in group.submitted_by_email
