"""The enrolment form and the confirmation mail say what a place costs and until when
cancelling is free, by the rules of enrolments/settlement/costs.py and
Session.free_cancellation_until."""

import pytest
from django.urls import reverse
from django.utils import formats, translation

from catalogue.languages import url_in_language
from enrolments.models import Enrolment, QueuedEmail
from enrolments.places.services import enrolment_cancel
from tests.factories import EnrolmentFactory, PriceFactory, SessionFactory
from tests.outbox import rendered
from trainings.models import Price

pytestmark = pytest.mark.django_db

CONDITION = "Gratis voor medewerkers van Brusselse gemeenten en OCMW's die alle dagen volgen."


def person(**overrides) -> dict:
    return {
        "first_name": "Anna",
        "last_name": "de Vries",
        "email": "anna@example.org",
        "organisation": "Bibliotheek Utrecht",
        "job_title": "",
        "privacy": "on",
        "website": "",
        **overrides,
    }


def until(session, language: str) -> str:
    with translation.override(language):
        return formats.date_format(session.free_cancellation_until, "l j F Y")


def priced_session(**kwargs):
    session = SessionFactory(**kwargs)
    PriceFactory(course=session.course, amount="25.00")
    return session


def test_form_states_the_price_and_the_last_free_cancellation_day(client):
    session = priced_session()
    html = client.get(reverse("enrolments:enrol", args=[session.pk])).content.decode()
    assert "Kosten en annuleren" in html
    assert "Een plaats kost €\xa025,00 per deelnemer" in html
    assert f"Kosteloos annuleren kan tot en met {until(session, 'nl')}" in html


def test_form_states_the_condition_under_which_a_place_is_free(client):
    session = priced_session()
    PriceFactory(
        course=session.course,
        kind=Price.Kind.FREE_UNDER_CONDITION,
        amount=None,
        condition=CONDITION,
        min_attendance=100,
    )
    html = client.get(reverse("enrolments:enrol", args=[session.pk])).content.decode()
    assert "Een plaats kost €\xa025,00 per deelnemer" in html
    assert "Gratis onder voorwaarde:</strong> Gratis voor medewerkers van Brusselse" in html
    assert "bij minstens 100% aanwezigheid" in html


def test_form_without_a_participant_price_says_taking_part_is_free(client):
    session = SessionFactory()
    PriceFactory(course=session.course, kind=Price.Kind.PER_RESERVED_SESSION, amount="0.00")
    html = client.get(reverse("enrolments:enrol", args=[session.pk])).content.decode()
    assert "Deelnemen is gratis." in html and "Annuleren kost niets" in html
    assert "Een plaats kost" not in html


def test_group_form_states_the_price_too(client):
    session = priced_session()
    html = client.get(reverse("enrolments:group-enrol", args=[session.pk])).content.decode()
    assert "Een plaats kost €\xa025,00 per deelnemer" in html
    assert f"Kosteloos annuleren kan tot en met {until(session, 'nl')}" in html


def test_form_with_errors_still_states_the_price(client):
    session = priced_session()
    response = client.post(reverse("enrolments:enrol", args=[session.pk]), person(email="x"))
    assert response.status_code == 400
    assert "Een plaats kost €\xa025,00 per deelnemer" in response.content.decode()


def test_english_form_states_the_price_in_english(client):
    session = priced_session()
    html = client.get(
        url_in_language(reverse("enrolments:enrol", args=[session.pk]), "en")
    ).content.decode()
    assert "A place costs €25.00 per participant" in html
    assert f"up to and including {until(session, 'en')}" in html


def test_confirmation_mail_states_price_and_free_cancellation_in_dutch(client):
    session = priced_session()
    client.post(reverse("enrolments:enrol", args=[session.pk]), person())
    mail = QueuedEmail.objects.get(kind="registered")
    mail = rendered(mail)
    for body in (mail.body_text, mail.body_html):
        assert "Een plaats kost €\xa025,00 per deelnemer" in body
        assert f"Kosteloos annuleren kan tot en met {until(session, 'nl')}" in body


def test_confirmation_mail_states_price_and_free_cancellation_in_english(client):
    session = priced_session()
    client.post(url_in_language(reverse("enrolments:enrol", args=[session.pk]), "en"), person())
    assert Enrolment.objects.get().language == "en"
    mail = QueuedEmail.objects.get(kind="registered")
    mail = rendered(mail)
    for body in (mail.body_text, mail.body_html):
        assert "A place costs €25.00 per participant" in body
        assert f"Free cancellation is possible up to and including {until(session, 'en')}" in body
        assert "Een plaats kost" not in body


def test_confirmation_mail_of_a_free_course_says_so(client):
    session = SessionFactory()
    client.post(reverse("enrolments:enrol", args=[session.pk]), person())
    body = rendered(QueuedEmail.objects.get(kind="registered")).body_text
    assert "Deelnemen is gratis." in body and "Kosteloos annuleren" not in body


def test_promotion_mail_states_the_price_of_the_place(client):
    session = priced_session(capacity=1)
    first = EnrolmentFactory(session=session)
    waiting = EnrolmentFactory(session=session, status=Enrolment.Status.WAITLISTED)
    enrolment_cancel(enrolment_id=first.pk)
    body = rendered(QueuedEmail.objects.get(kind="promoted", enrolment=waiting)).body_text
    assert "Een plaats kost €\xa025,00 per deelnemer" in body
