"""Handing a place to a colleague, and late cancellations, through services and pages."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from enrolments.models import Enrolment, EnrolmentEvent, QueuedEmail
from enrolments.places import decisions, services, substitution
from enrolments.places.tokens import ExpiredLink, enrolment_from_token, self_service_path
from tests.factories import EnrolmentFactory, PriceFactory, SessionFactory
from tests.outbox import rendered

pytestmark = pytest.mark.django_db

R, W = "registered", "waitlisted"
COLLEAGUE = services.Person("Kees", "Vos", "kees@example.org", "Coördinator")


def enrol(session, email, organisation="Bibliotheek Utrecht"):
    return services.enrolment_create(
        session_id=session.pk,
        first_name="Anna",
        last_name=email.split("@")[0],
        email=email,
        organisation=organisation,
    ).enrolment


def queue(session) -> list[str]:
    return list(
        Enrolment.objects.filter(session=session).waitlist().values_list("email", flat=True)
    )


def test_substitute_takes_the_same_place_in_the_session():
    session = SessionFactory(capacity=2)
    first = enrol(session, "anna@example.org")
    enrol(session, "bert@example.org")
    substitution.enrolment_substitute(enrolment_id=first.pk, person=COLLEAGUE)
    first.refresh_from_db()
    assert (first.full_name, first.email, first.status) == ("Kees Vos", "kees@example.org", R)
    assert first.organisation == "Bibliotheek Utrecht"
    assert session.enrolments.filter(status=R).count() == 2


def test_substitute_keeps_the_position_on_the_waiting_list():
    session = SessionFactory(capacity=1)
    enrol(session, "anna@example.org")
    waiting = [enrol(session, f"w{i}@example.org") for i in range(3)]
    substitution.enrolment_substitute(enrolment_id=waiting[1].pk, person=COLLEAGUE)
    assert queue(session) == ["w0@example.org", "kees@example.org", "w2@example.org"]
    waiting[1].refresh_from_db()
    assert waiting[1].get_waitlist_position() == 2


def test_both_people_are_mailed_and_the_old_link_stops_working():
    session = SessionFactory()
    enrolment = enrol(session, "anna@example.org")
    old_link = self_service_path(enrolment).split("/")[-2]
    QueuedEmail.objects.all().delete()
    substitution.enrolment_substitute(enrolment_id=enrolment.pk, person=COLLEAGUE)
    mails = {mail.to: mail for mail in QueuedEmail.objects.all()}
    assert set(mails) == {"anna@example.org", "kees@example.org"}
    assert mails["anna@example.org"].kind == "substituted"
    assert "Kees Vos" in rendered(mails["anna@example.org"]).body_text
    assert mails["kees@example.org"].kind == "substitute"
    assert "/inschrijving/" in rendered(mails["kees@example.org"]).body_text
    assert rendered(
        mails["kees@example.org"]
    ).attachments  # the calendar file, as for a registration
    with pytest.raises(ExpiredLink):
        enrolment_from_token(old_link)


def test_the_history_keeps_who_was_replaced_by_whom(django_user_model):
    adviser = django_user_model.objects.create_user("adviseur")
    enrolment = enrol(SessionFactory(), "anna@example.org")
    substitution.enrolment_substitute(enrolment_id=enrolment.pk, person=COLLEAGUE, by_user=adviser)
    event = enrolment.events.get(kind=EnrolmentEvent.Kind.SUBSTITUTED)
    assert event.actor == adviser
    assert "anna@example.org" in event.note and "kees@example.org" in event.note


def test_no_substitute_once_the_session_started_or_for_a_cancelled_place():
    started = EnrolmentFactory(session=SessionFactory(days=[0]))
    # Move both ends so the session runs now, whatever the time of day the test runs at.
    now = timezone.now()
    started.session.__class__.objects.filter(pk=started.session_id).update(
        starts_at=now - datetime.timedelta(hours=1), ends_at=now + datetime.timedelta(hours=2)
    )
    with pytest.raises(substitution.SubstitutionNotAllowed):
        substitution.enrolment_substitute(enrolment_id=started.pk, person=COLLEAGUE)
    cancelled = EnrolmentFactory(status="cancelled")
    with pytest.raises(substitution.SubstitutionNotAllowed):
        substitution.enrolment_substitute(enrolment_id=cancelled.pk, person=COLLEAGUE)


def test_no_substitute_who_is_already_enrolled():
    session = SessionFactory()
    enrolment = enrol(session, "anna@example.org")
    enrol(session, "kees@example.org")
    with pytest.raises(services.AlreadyEnrolled):
        substitution.enrolment_substitute(enrolment_id=enrolment.pk, person=COLLEAGUE)
    enrolment.refresh_from_db()
    assert enrolment.email == "anna@example.org"


def test_substitution_from_the_self_service_page(client):
    session = SessionFactory()
    enrolment = enrol(session, "anna@example.org")
    link = self_service_path(enrolment)
    page = client.get(link).content.decode()
    assert "Een collega in je plaats" in page
    response = client.post(
        link,
        {
            "action": "substitute",
            "sub-first_name": "Kees",
            "sub-last_name": "Vos",
            "sub-email": "kees@example.org",
            "sub-job_title": "",
        },
    )
    assert response.status_code == 200
    assert "Je plaats is overgedragen aan Kees Vos" in response.content.decode()
    enrolment.refresh_from_db()
    assert enrolment.email == "kees@example.org"
    assert client.get(link).status_code == 410  # the old link is spent


def test_a_bad_substitution_on_the_self_service_page_says_what_is_wrong(client):
    enrolment = enrol(SessionFactory(), "anna@example.org")
    response = client.post(
        self_service_path(enrolment),
        {"action": "substitute", "sub-first_name": "Kees", "sub-last_name": "", "sub-email": "x"},
    )
    assert response.status_code == 400
    enrolment.refresh_from_db()
    assert enrolment.email == "anna@example.org"


def test_substitution_from_the_admin(admin_client):
    enrolment = enrol(SessionFactory(), "anna@example.org")
    url = reverse("admin:enrolments_enrolment_substitute", args=[enrolment.pk])
    assert admin_client.get(url).status_code == 200
    response = admin_client.post(
        url,
        {"first_name": "Kees", "last_name": "Vos", "email": "kees@example.org", "job_title": ""},
    )
    assert response.status_code == 302
    enrolment.refresh_from_db()
    assert enrolment.email == "kees@example.org"
    change = admin_client.get(reverse("admin:enrolments_enrolment_change", args=[enrolment.pk]))
    assert "Vervangen door een collega" in change.content.decode()


# -- Late cancellation -------------------------------------------------------------------------


def test_cancelling_after_the_term_is_marked_late(settings):
    settings.FREE_CANCELLATION_WORKING_DAYS = 60  # every session here is within the term
    session = SessionFactory(days=[14])
    enrolment = enrol(session, "anna@example.org")
    cancelled = services.enrolment_cancel(enrolment_id=enrolment.pk, self_service=True)
    assert cancelled.cancelled_late
    mail = QueuedEmail.objects.filter(kind="cancelled").get()
    assert "Kosteloos annuleren kon tot en met" in rendered(mail).body_text
    assert "late annulering" in cancelled.events.get(kind="cancelled").note


def test_cancelling_in_time_is_not_late(settings):
    settings.FREE_CANCELLATION_WORKING_DAYS = 2
    session = SessionFactory(days=[30])
    enrolment = enrol(session, "anna@example.org")
    assert not services.enrolment_cancel(enrolment_id=enrolment.pk).cancelled_late


def test_leaving_the_waiting_list_is_never_late(settings):
    settings.FREE_CANCELLATION_WORKING_DAYS = 60
    session = SessionFactory(capacity=1, days=[14])
    enrol(session, "anna@example.org")
    waiting = enrol(session, "bert@example.org")
    assert not services.enrolment_cancel(enrolment_id=waiting.pk).cancelled_late


def test_the_self_service_page_warns_before_a_late_cancellation(client, settings):
    settings.FREE_CANCELLATION_WORKING_DAYS = 60
    session = SessionFactory(days=[14])
    enrolment = enrol(session, "anna@example.org")
    page = client.get(self_service_path(enrolment)).content.decode()
    assert "Kosteloos annuleren kon tot en met" in page
    assert "late annulering" in page
    settings.FREE_CANCELLATION_WORKING_DAYS = 2
    page = client.get(self_service_path(enrolment)).content.decode()
    assert "Kosteloos annuleren kan tot en met" in page
    assert "late annulering" not in page


def test_the_enrolment_form_states_the_free_cancellation_date(client, settings):
    settings.FREE_CANCELLATION_WORKING_DAYS = 5
    session = SessionFactory(days=[30])
    # The date matters where a late cancellation costs something: a priced place.
    PriceFactory(course=session.course)
    html = client.get(reverse("enrolments:enrol", args=[session.pk])).content.decode()
    until = session.free_cancellation_until
    assert "Kosteloos annuleren kan tot en met" in html
    assert str(until.day) in html


def test_admin_offers_no_hand_over_in_a_cancelled_session(admin_client):
    session = SessionFactory(capacity=2)
    enrolment = enrol(session, "anna@example.org")
    assert substitution.substitution_refusal(enrolment, session) is None
    decisions.session_cancel(session_id=session.pk, reason="Trainer ziek")
    session.refresh_from_db()
    enrolment.refresh_from_db()
    assert substitution.substitution_refusal(enrolment, session) is not None
    page = admin_client.get(reverse("admin:enrolments_enrolment_change", args=[enrolment.pk]))
    assert reverse("admin:enrolments_enrolment_substitute", args=[enrolment.pk]) not in (
        page.content.decode()
    )


def test_waitlist_position_of_one_enrolment_matches_the_annotated_position():
    session = SessionFactory(capacity=1)
    for name in ("anna", "bert", "carla", "daan"):
        enrol(session, f"{name}@example.org")
    annotated = dict(
        Enrolment.objects.filter(session=session)
        .with_waitlist_position()
        .values_list("email", "waitlist_position")
    )
    for enrolment in Enrolment.objects.filter(session=session):
        assert enrolment.get_waitlist_position() == annotated[enrolment.email]
    assert sorted(p for p in annotated.values() if p) == [1, 2, 3]
