"""AVG: the audit trail, the retention period, and one person's data on request."""

import datetime
import io
import json

import pytest
from django.contrib.auth.models import Group, User
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from enrolments.models import Enrolment, Interest, QueuedEmail, SessionRequest
from enrolments.places import services, substitution
from enrolments.places.tokens import self_service_path
from enrolments.privacy import services as privacy
from tests.factories import CourseFactory, EnrolmentFactory, SessionFactory
from trainings.models import Session

pytestmark = pytest.mark.django_db


def enrol(session, email, **kwargs):
    return services.enrolment_create(
        session_id=session.pk,
        first_name="Anna",
        last_name="Smit",
        email=email,
        organisation="Bieb Oost",
        **kwargs,
    ).enrolment


def kinds(enrolment):
    return list(enrolment.events.values_list("kind", "from_status", "to_status"))


def test_every_status_change_is_in_the_audit_trail(django_user_model):
    adviser = django_user_model.objects.create_user("adviseur")
    # Six weeks ahead: a cancellation today is free, whatever public holidays come first.
    session = SessionFactory(capacity=1, days=[42])
    first = enrol(session, "a@x.org")
    second = enrol(session, "b@x.org")
    services.enrolment_cancel(enrolment_id=first.pk, reason="Ziek", by_user=adviser)
    assert kinds(first) == [("created", "", "registered"), ("cancelled", "registered", "cancelled")]
    cancelled = first.events.get(kind="cancelled")
    assert (cancelled.actor, cancelled.note) == (adviser, "Ziek")
    assert kinds(second) == [
        ("created", "", "waitlisted"),
        ("promoted", "waitlisted", "registered"),
    ]


def test_admin_edit_of_contact_details_is_logged(admin_client, admin_user):
    enrolment = EnrolmentFactory(first_name="Anna")
    admin_client.post(
        reverse("admin:enrolments_enrolment_change", args=[enrolment.pk]),
        {
            "first_name": "Anne",
            "last_name": enrolment.last_name,
            "email": enrolment.email,
            "job_title": "",
            "events-TOTAL_FORMS": "0",
            "events-INITIAL_FORMS": "0",
            "attendance-TOTAL_FORMS": "0",
            "attendance-INITIAL_FORMS": "0",
        },
    )
    event = enrolment.events.get(kind="changed")
    assert (event.actor, event.note) == (admin_user, "Voornaam")
    page = admin_client.get(reverse("admin:enrolments_enrolment_change", args=[enrolment.pk]))
    assert "Gegevens gewijzigd" in page.content.decode()


def ended(months_ago: int) -> Session:
    return SessionFactory(days=[-round(months_ago * 30.5)])


def test_purge_anonymises_what_is_past_the_retention_period(client):
    old, recent = ended(13), ended(11)
    gone = EnrolmentFactory(
        session=old,
        first_name="Anna",
        last_name="Smit",
        job_title="IDO",
        email="anna@x.org",
        organisation="Bieb Oost",
    )
    link = self_service_path(gone)
    kept = EnrolmentFactory(session=recent, first_name="Bram")
    QueuedEmail.objects.create(
        kind="registered", to="anna@x.org", subject="s", body_text="t", enrolment=gone
    )
    old_interest = Interest.objects.create(
        course=CourseFactory(),
        email="c@x.org",
        consent_at=timezone.now(),
        created_at=timezone.now() - datetime.timedelta(days=400),
    )
    new_request = SessionRequest.objects.create(
        course=CourseFactory(),
        organisation="OCMW",
        contact_name="Els",
        email="e@x.org",
        participants=5,
        created_at=timezone.now() - datetime.timedelta(days=400),
    )
    out = io.StringIO()
    call_command("purge_personal_data", stdout=out)
    assert "1 inschrijvingen" in out.getvalue()
    gone.refresh_from_db()
    assert (gone.first_name, gone.last_name, gone.job_title) == ("", "", "")
    assert gone.email.endswith("@geanonimiseerd.invalid") and gone.anonymised_at
    assert gone.organisation == "Bieb Oost" and gone.status == "registered"  # counts stay right
    assert gone.events.filter(kind="anonymised").exists()
    assert client.get(link).status_code == 410  # the old link opens nothing any more
    assert not QueuedEmail.objects.filter(enrolment=gone).exists()
    kept.refresh_from_db()
    assert kept.first_name == "Bram" and kept.anonymised_at is None
    old_interest.refresh_from_db()
    assert old_interest.email.endswith(".invalid")
    new_request.refresh_from_db()
    assert new_request.contact_name == "Els"  # still being handled: kept
    assert Enrolment.objects.count() == 2


def test_purge_is_idempotent_and_has_a_dry_run():
    EnrolmentFactory(session=ended(13), first_name="Anna")
    out = io.StringIO()
    call_command("purge_personal_data", "--dry-run", stdout=out)
    assert "Zou anonimiseren" in out.getvalue()
    assert Enrolment.objects.get().first_name == "Anna"
    call_command("purge_personal_data", stdout=io.StringIO())
    again = io.StringIO()
    call_command("purge_personal_data", stdout=again)
    assert "0 inschrijvingen" in again.getvalue()


def test_purge_period_can_be_shortened():
    EnrolmentFactory(session=ended(4), first_name="Anna")
    call_command("purge_personal_data", "--months", "3", stdout=io.StringIO())
    assert Enrolment.objects.get().first_name == ""


@pytest.fixture
def adviser(client):
    user = User.objects.create_user("adviseur", is_staff=True)
    user.groups.add(Group.objects.get(name="POI-adviseurs"))
    client.force_login(user)
    return user


PERSON = "/admin/persoonsgegevens/"


def test_adviser_exports_one_persons_data(client, adviser):
    EnrolmentFactory(email="Anna@X.org", first_name="Anna", last_name="Smit")
    Interest.objects.create(
        course=CourseFactory(title="IDO en jongeren"), email="anna@x.org", consent_at=timezone.now()
    )
    found = client.post(PERSON, {"email": "anna@x.org", "action": "find"}).content.decode()
    assert "IDO en jongeren" in found
    response = client.post(PERSON, {"email": "anna@x.org", "action": "export"})
    data = json.loads(response.content)
    assert response["Content-Disposition"].startswith("attachment")
    assert data["inschrijvingen"][0]["voornaam"] == "Anna"
    # The one line of history: placed through the admin, as the factory places people.
    assert [(line["van"], line["naar"]) for line in data["inschrijvingen"][0]["geschiedenis"]] == [
        ("", "registered")
    ]
    assert data["belangstelling"][0]["training"] == "IDO en jongeren"


def test_adviser_erases_one_persons_data(client, adviser):
    session = SessionFactory(capacity=1)
    leaving = enrol(session, "anna@x.org")
    waiting = enrol(session, "bram@x.org")
    past = EnrolmentFactory(session=ended(2), email="anna@x.org")
    Interest.objects.create(course=CourseFactory(), email="anna@x.org", consent_at=timezone.now())
    refused = client.post(PERSON, {"email": "anna@x.org", "action": "erase"})
    assert "Vink aan" in refused.content.decode()
    assert Enrolment.objects.get(pk=leaving.pk).first_name == "Anna"
    response = client.post(
        PERSON, {"email": "anna@x.org", "action": "erase", "confirm": "yes"}, follow=True
    )
    assert "Verwijderd: 2 inschrijvingen (waarvan 1 plaatsen vrijgegeven)" in (
        response.content.decode()
    )
    leaving.refresh_from_db()
    past.refresh_from_db()
    waiting.refresh_from_db()
    assert leaving.status == "cancelled" and leaving.first_name == ""
    assert past.first_name == "" and past.status == "registered"
    assert waiting.status == "registered"  # the freed place went to the waiting list
    assert not QueuedEmail.objects.filter(to__iexact="anna@x.org").exists()
    assert not Interest.objects.filter(email__iexact="anna@x.org").exists()
    assert leaving.events.filter(kind="anonymised", actor=adviser).exists()


def test_coordinators_cannot_use_the_person_page(client):
    user = User.objects.create_user("coordinator", is_staff=True)
    user.groups.add(Group.objects.get(name="Coördinatoren"))
    client.force_login(user)
    assert client.get(PERSON).status_code == 403


def test_privacy_page_states_the_retention_period(client):
    html = client.get(reverse("catalogue:privacy")).content.decode()
    assert "Tot 12 maanden na afloop van de training" in html


def test_purge_and_erase_cover_group_senders_and_substitution_notes():
    from enrolments.models import EnrolmentEvent, EnrolmentGroup
    from enrolments.places import services
    from enrolments.privacy.services import person_erase, person_export, purge

    session = ended(13)
    group = EnrolmentGroup.objects.create(
        session=session,
        organisation="Bibliotheek Gouda",
        submitted_by_name="Ans Teamleider",
        submitted_by_email="ans@example.org",
    )
    counts = purge(12)
    group.refresh_from_db()
    assert counts["groups"] == 1
    assert group.submitted_by_name == "" and group.submitted_by_email != "ans@example.org"

    upcoming = SessionFactory()
    enrolment = services.enrolment_create(
        session_id=upcoming.pk,
        first_name="Anna",
        last_name="Bakker",
        email="anna@example.org",
        organisation="Bibliotheek Gouda",
    ).enrolment
    substitution.enrolment_substitute(
        enrolment_id=enrolment.pk, person=services.Person("Kees", "Vos", "kees@example.org")
    )
    exported = person_export("anna@example.org")
    assert exported["genoemd_in_geschiedenis"]  # the note naming her, under the colleague
    person_erase("anna@example.org")
    assert not EnrolmentEvent.objects.filter(note__icontains="anna@example.org").exists()


def test_erasure_failing_halfway_frees_no_place_and_erases_nothing(monkeypatch):
    session = SessionFactory(capacity=1)
    leaving = enrol(session, "weg@x.org")
    waiting = enrol(session, "wacht@x.org")
    assert waiting.status == Enrolment.Status.WAITLISTED

    def fail(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(privacy, "anonymise_interest", fail)  # after the places are freed
    with pytest.raises(RuntimeError):
        privacy.person_erase("weg@x.org")
    leaving.refresh_from_db()
    waiting.refresh_from_db()
    assert (leaving.status, leaving.email, leaving.last_name) == (
        Enrolment.Status.REGISTERED,
        "weg@x.org",
        "Smit",
    )
    assert waiting.status == Enrolment.Status.WAITLISTED
