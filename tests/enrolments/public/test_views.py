"""The public enrolment pages, through the test client: what a person sees."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from enrolments.models import Enrolment, Interest, QueuedEmail, SessionRequest
from enrolments.places.tokens import self_service_path
from tests.factories import CourseFactory, EnrolmentFactory, SessionFactory
from trainings.models import Session

pytestmark = pytest.mark.django_db


def enrol_url(session) -> str:
    return reverse("enrolments:enrol", args=[session.pk])


def person(**overrides) -> dict:
    data = {
        "first_name": "Anna",
        "last_name": "de Vries",
        "email": "anna@example.org",
        "organisation": "Bibliotheek Utrecht",
        "job_title": "IDO-medewerker",
        "privacy": "on",
        "website": "",
    }
    data.update(overrides)
    return data


def test_form_has_the_contract_labels(client):
    html = client.get(enrol_url(SessionFactory())).content.decode()
    for label in [
        "Voornaam",
        "Achternaam",
        "E-mailadres",
        "Organisatie",
        "Functie",
        "privacyverklaring gelezen",
    ]:
        assert f"{label}" in html
    assert 'name="privacy"' in html and 'type="checkbox"' in html
    assert "(optioneel)" in html  # Functie
    assert 'class="hp"' in html  # the honeypot


def test_enrolling_shows_registered_and_what_happens_next(client):
    session = SessionFactory(min_participants=3)
    response = client.post(enrol_url(session), person(), follow=True)
    html = response.content.decode()
    assert response.status_code == 200
    assert "je bent ingeschreven" in html
    assert "gaat door bij minimaal 3 inschrijvingen" in html
    enrolment = Enrolment.objects.get()
    assert (enrolment.email, enrolment.job_title) == ("anna@example.org", "IDO-medewerker")
    assert enrolment.privacy_accepted_at is not None
    assert QueuedEmail.objects.get().kind == "registered"


def test_full_session_puts_the_person_on_the_waiting_list_with_position(client):
    session = SessionFactory(capacity=1)
    EnrolmentFactory(session=session)
    EnrolmentFactory(session=session, status="waitlisted")
    form = client.get(enrol_url(session)).content.decode()
    assert "Deze sessie is vol" in form and "Zet mij op de wachtlijst" in form
    response = client.post(enrol_url(session), person(), follow=True)
    assert "Je staat op de wachtlijst (plaats 2)" in response.content.decode()


def test_only_a_place_is_offered_for_the_calendar_not_the_waiting_list(client):
    session = SessionFactory(capacity=1)
    calendar = reverse("catalogue:session-calendar", args=[session.pk])
    registered = client.post(enrol_url(session), person(), follow=True).content.decode()
    assert "je bent ingeschreven" in registered
    assert f'href="{calendar}"' in registered and "Toevoegen aan agenda" in registered
    waitlisted = client.post(
        enrol_url(session), person(email="bert@example.org", first_name="Bert"), follow=True
    ).content.decode()
    assert "Je staat op de wachtlijst (plaats 1)" in waitlisted
    assert calendar not in waitlisted and "Toevoegen aan agenda" not in waitlisted
    assert "Zet haar daarom nog niet in je agenda" in waitlisted


def test_duplicate_attempt_looks_like_any_other_and_creates_nothing(client):
    session = SessionFactory(capacity=5)
    first = client.post(enrol_url(session), person())
    second = client.post(enrol_url(session), person(email="ANNA@example.org", first_name="Anna"))
    assert first.status_code == second.status_code == 302
    assert first["Location"].split("?")[0] == second["Location"].split("?")[0]
    page = client.get(second["Location"]).content.decode()
    assert "je bent ingeschreven" in page
    assert "al ingeschreven" not in page.lower()
    assert Enrolment.objects.count() == 1


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"privacy": ""}, "Lees de privacyverklaring en vink dit vakje aan"),
        ({"first_name": ""}, "Dit veld is verplicht."),
        ({"email": "geen-adres"}, "Voer een geldig e-mailadres in."),
        ({"organisation": "x" * 121}, "niet meer dan 120 tekens"),
        ({"first_name": "A\x00na"}, "Null"),
    ],
)
def test_bad_input_gets_a_dutch_message_and_a_400(client, overrides, message):
    session = SessionFactory()
    response = client.post(enrol_url(session), person(**overrides))
    assert response.status_code == 400
    html = response.content.decode()
    assert message.lower() in html.lower()
    assert "Controleer het formulier" in html
    assert not Enrolment.objects.exists()


def test_errors_are_linked_to_their_fields(client):
    response = client.post(enrol_url(SessionFactory()), person(email="x"))
    html = response.content.decode()
    assert 'href="#id_email"' in html
    assert 'aria-describedby="id_email-hint id_email-error"' in html
    assert 'aria-invalid="true"' in html


def test_honeypot_pretends_success_and_stores_nothing(client):
    response = client.post(enrol_url(SessionFactory()), person(website="http://spam"))
    assert response.status_code == 302
    assert not Enrolment.objects.exists() and not QueuedEmail.objects.exists()


def test_closed_session_shows_why_and_refuses_a_post(client):
    session = SessionFactory(registration_deadline=timezone.now() - datetime.timedelta(hours=2))
    page = client.get(enrol_url(session)).content.decode()
    assert "De inschrijving voor deze sessie is gesloten" in page
    assert 'name="first_name"' not in page
    response = client.post(enrol_url(session), person())
    assert response.status_code == 409
    assert "gesloten sinds" in response.content.decode()
    assert not Enrolment.objects.exists()


def test_cancelled_session_says_so(client):
    session = SessionFactory(status=Session.Status.CANCELLED, cancellation_reason="Te weinig.")
    page = client.get(enrol_url(session)).content.decode()
    assert "Deze sessie is geannuleerd." in page and "Te weinig." in page


def test_reserved_session_refuses_another_organisation_with_a_message(client):
    session = SessionFactory(reserved_for="Bibliotheek De Waarden", invitation_code="CODE1")
    response = client.post(enrol_url(session), person())
    assert response.status_code == 403
    assert "gereserveerd voor één organisatie" in response.content.decode()
    ok = client.post(enrol_url(session), person(invitation_code="code1"))
    assert ok.status_code == 302


def test_unknown_or_unpublished_session_is_404(client):
    assert client.get(reverse("enrolments:enrol", args=[999999])).status_code == 404
    hidden = SessionFactory(course=CourseFactory(is_published=False))
    assert client.get(enrol_url(hidden)).status_code == 404
    data = {"first_name": "An", "last_name": "Smit", "email": "an@example.org", "privacy": "on"}
    assert client.post(reverse("enrolments:enrol", args=[999999]), data).status_code == 404
    assert client.post(enrol_url(hidden), data).status_code == 404
    assert not hidden.enrolments.exists()


def test_tampered_receipt_gets_a_clear_page(client):
    session = SessionFactory()
    url = reverse("enrolments:enrolled", args=[session.pk]) + "?r=tampered"
    response = client.get(url)
    assert response.status_code == 400
    assert "Deze pagina is verlopen" in response.content.decode()


def test_enrol_form_query_count_is_constant(client, django_assert_max_num_queries):
    session = SessionFactory(days=[10, 11, 12], capacity=20)
    for _ in range(20):
        EnrolmentFactory(session=session)
    small = SessionFactory(days=[5])
    with CaptureQueriesContext(connection) as few:
        client.get(enrol_url(small))
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(enrol_url(session))
    assert len(few) <= 3


def test_an_enrolment_post_reads_no_course_row_and_no_column_twice(client):
    """The POST reads what the rules need of the session under the lock (its course's slug,
    not the course row with its search data) and never goes back for a deferred column."""
    session = SessionFactory(days=[10, 11], capacity=20, max_per_organisation=5)
    EnrolmentFactory(session=session)
    client.get(enrol_url(session))  # the CSRF cookie and session, as a browser has them
    client.post(enrol_url(session), person(email="warm-up@example.org"))
    with CaptureQueriesContext(connection) as queries:
        response = client.post(enrol_url(session), person())
    assert response.status_code == 302
    assert Enrolment.objects.filter(email="anna@example.org", status="registered").exists()
    reads = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].startswith("SELECT") and "django_session" not in q["sql"]
    ]
    assert not any("search_text" in sql or '"summary"' in sql for sql in reads)
    # The session before the lock and under it, organisation, counts with the duplicate
    # check (one query), days.
    session_reads = [sql for sql in reads if sql.startswith('SELECT "trainings_session"')]
    assert len(session_reads) == 2, session_reads
    assert len(reads) == 5, "\n".join(sql[:90] for sql in reads)


# Self-service --------------------------------------------------------------------------------


def test_self_service_shows_the_enrolment_and_cancels_it(client):
    # Six weeks ahead: a cancellation today is free, whatever public holidays come first.
    session = SessionFactory(capacity=1, days=[42])
    enrolment = EnrolmentFactory(session=session, first_name="Anna", last_name="de Vries")
    waiting = EnrolmentFactory(session=session, status="waitlisted")
    url = self_service_path(enrolment)
    page = client.get(url).content.decode()
    assert "Anna de Vries" in page and "Ingeschreven" in page
    assert "Ja, annuleer mijn inschrijving" in page
    response = client.post(url, {"reason": "Ziek"}, follow=True)
    assert "Je inschrijving is geannuleerd" in response.content.decode()
    enrolment.refresh_from_db()
    waiting.refresh_from_db()
    assert (enrolment.status, enrolment.cancellation_reason, waiting.status) == (
        "cancelled",
        "Ziek",
        "registered",
    )


def test_self_service_shows_waitlist_position(client):
    session = SessionFactory(capacity=1)
    EnrolmentFactory(session=session)
    EnrolmentFactory(session=session, status="waitlisted")
    waiting = EnrolmentFactory(session=session, status="waitlisted")
    assert "Op de wachtlijst (plaats 2)" in client.get(self_service_path(waiting)).content.decode()


def test_tampered_link_gets_a_clear_page(client):
    enrolment = EnrolmentFactory()
    url = self_service_path(enrolment)
    response = client.get(url[:-3] + "xyz/")
    assert response.status_code == 400
    assert "Deze link werkt niet" in response.content.decode()
    assert client.post(url[:-3] + "xyz/", {"reason": ""}).status_code == 400
    enrolment.refresh_from_db()
    assert enrolment.status == "registered"


def test_revoked_or_old_link_is_expired(client):
    enrolment = EnrolmentFactory()
    url = self_service_path(enrolment)
    Enrolment.objects.filter(pk=enrolment.pk).update(secret="00000000-0000-0000-0000-000000000000")
    assert client.get(url).status_code == 410
    old = EnrolmentFactory(session=SessionFactory(days=[-40]))
    response = client.get(self_service_path(old))
    assert response.status_code == 410
    assert "Deze link is verlopen" in response.content.decode()


# The course page, interest and requests -------------------------------------------------------


def test_course_page_offers_enrolment_per_open_session(client):
    course = CourseFactory()
    open_session = SessionFactory(course=course)
    full = SessionFactory(course=course, capacity=1, days=[20])
    EnrolmentFactory(session=full)
    closed = SessionFactory(
        course=course, days=[3], registration_deadline=timezone.now() - datetime.timedelta(hours=1)
    )
    html = client.get(course.get_absolute_url()).content.decode()
    assert enrol_url(open_session) in html
    assert enrol_url(full) in html and "Op de wachtlijst" in html
    assert enrol_url(closed) not in html
    assert reverse("enrolments:interest", args=[course.slug]) not in html


def test_course_without_open_session_offers_to_keep_people_informed(client):
    course = CourseFactory()
    html = client.get(course.get_absolute_url()).content.decode()
    assert reverse("enrolments:interest", args=[course.slug]) in html
    assert reverse("enrolments:request", args=[course.slug]) in html


def test_interest_form(client):
    course = CourseFactory()
    url = reverse("enrolments:interest", args=[course.slug])
    data = {
        "email": "a@example.org",
        "organisation": "Bieb",
        "city": "Gent",
        "consent": "on",
        "website": "",
    }
    assert client.post(url, data).status_code == 302
    assert client.post(url, data).status_code == 302  # again: same answer, nothing new
    assert Interest.objects.get().city == "Gent"
    refused = client.post(url, {**data, "consent": ""})
    assert refused.status_code == 400
    assert "Zonder je toestemming" in refused.content.decode()


def test_session_request_form(client):
    course = CourseFactory()
    url = reverse("enrolments:request", args=[course.slug])
    data = {
        "organisation": "OCMW Jette",
        "contact_name": "Els",
        "email": "els@example.org",
        "phone": "",
        "participants": "12",
        "preferred_period": "maart",
        "message": "",
        "website": "",
    }
    response = client.post(url, data, follow=True)
    assert "We hebben je aanvraag ontvangen" in response.content.decode()
    assert SessionRequest.objects.get().participants == 12
    assert client.post(url, {**data, "participants": "nul"}).status_code == 400


@pytest.mark.parametrize("language", ["nl", "en"])
def test_session_request_above_the_cap_per_organisation_is_refused(client, language):
    course = CourseFactory(default_capacity=20, max_per_organisation=16)
    # The visitor switches language with the language link, which leads to the same form in
    # that language.
    switch = reverse("site:language", args=[language])
    dutch_url = reverse("enrolments:request", args=[course.slug])
    response = client.get(f"{switch}?next={dutch_url}")
    assert response.status_code == 302
    url = response["Location"]
    data = {
        "organisation": "Bibliotheek Gent",
        "contact_name": "Els",
        "email": "els@example.org",
        "participants": "20",
        "website": "",
    }
    response = client.post(url, data)
    assert response.status_code == 400
    html = response.content.decode()
    expected, hint, other = {
        "nl": (
            "Deze training is voor maximaal 16 deelnemers per organisatie per sessie.",
            "Maximaal 16 per organisatie per sessie.",
            "This training takes at most",
        ),
        "en": (
            "This training takes at most 16 participants per organisation per session.",
            "At most 16 per organisation per session.",
            "Deze training is voor maximaal",
        ),
    }[language]
    assert expected in html
    assert hint in html
    assert other not in html
    assert not SessionRequest.objects.exists()
    assert client.post(url, {**data, "participants": "16"}).status_code == 302
    assert SessionRequest.objects.get().participants == 16


def test_session_request_respects_the_session_maximum_without_a_cap(client):
    course = CourseFactory(default_capacity=12, max_per_organisation=None)
    url = reverse("enrolments:request", args=[course.slug])
    assert "Maximaal 12 per organisatie" in client.get(url).content.decode()
