"""Advisers change enrolments in the admin under the same rules as the site."""

import datetime

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from enrolments.models import Enrolment, Interest, QueuedEmail
from tests.factories import CourseFactory, EnrolmentFactory, LocationFactory, SessionFactory
from tests.trainings.test_admin import session_post
from trainings.models import Session

pytestmark = pytest.mark.django_db


@pytest.fixture
def adviser(client):
    from django.contrib.auth.models import Group

    user = User.objects.create_user("adviseur", is_staff=True)
    user.groups.add(Group.objects.get(name="POI-adviseurs"))
    client.force_login(user)
    return user


def add_url(session=None) -> str:
    url = reverse("admin:enrolments_enrolment_add")
    return f"{url}?session={session.pk}" if session else url


def person(session, **overrides):
    return {
        "session": session.pk,
        "first_name": "Bram",
        "last_name": "Peeters",
        "email": "bram@example.org",
        "organisation": "Bibliotheek Gent",
        "job_title": "",
        "invitation_code": "",
        **overrides,
    }


def test_adviser_enrols_someone_through_the_service(client, adviser):
    session = SessionFactory(registration_deadline=timezone.now() - datetime.timedelta(hours=1))
    assert client.get(add_url(session)).status_code == 200
    response = client.post(add_url(), person(session), follow=True)
    assert "is ingeschreven en krijgt een bevestiging" in response.content.decode()
    enrolment = Enrolment.objects.get()
    assert enrolment.created_by == adviser and enrolment.privacy_accepted_at is None
    assert QueuedEmail.objects.get().kind == "registered"


def test_adviser_enrolment_into_a_full_session_waitlists(client, adviser):
    session = SessionFactory(capacity=1)
    EnrolmentFactory(session=session)
    response = client.post(add_url(), person(session), follow=True)
    assert "staat op de wachtlijst (plaats 1)" in response.content.decode()


def test_adviser_sees_why_an_enrolment_is_refused(client, adviser):
    session = SessionFactory()
    EnrolmentFactory(session=session, email="bram@example.org")
    response = client.post(add_url(), person(session))
    assert response.status_code == 200
    assert "al ingeschreven" in response.content.decode()
    reserved = SessionFactory(reserved_for="Bibliotheek De Waarden")
    response = client.post(add_url(), person(reserved))
    assert "gereserveerd voor Bibliotheek De Waarden" in response.content.decode()
    assert Enrolment.objects.count() == 1


def test_cancel_action_asks_a_reason_and_promotes(client, adviser):
    session = SessionFactory(capacity=1)
    leaving = EnrolmentFactory(session=session)
    waiting = EnrolmentFactory(session=session, status="waitlisted")
    url = reverse("admin:enrolments_enrolment_changelist")
    page = client.post(url, {"action": "cancel", "_selected_action": [leaving.pk]})
    assert "Reden" in page.content.decode()
    client.post(
        url,
        {
            "action": "cancel",
            "_selected_action": [leaving.pk],
            "confirm": "1",
            "reason": "Dubbel geboekt",
        },
    )
    leaving.refresh_from_db()
    waiting.refresh_from_db()
    assert (leaving.status, leaving.cancelled_by, leaving.cancellation_reason) == (
        "cancelled",
        adviser,
        "Dubbel geboekt",
    )
    assert waiting.status == "registered"


def test_enrolments_are_never_deleted_in_the_admin(client, adviser):
    enrolment = EnrolmentFactory()
    url = reverse("admin:enrolments_enrolment_delete", args=[enrolment.pk])
    assert client.post(url, {"post": "yes"}).status_code == 403
    assert Enrolment.objects.filter(pk=enrolment.pk).exists()


def test_status_cannot_be_edited_directly(client, adviser):
    enrolment = EnrolmentFactory()
    url = reverse("admin:enrolments_enrolment_change", args=[enrolment.pk])
    client.post(
        url,
        {
            "first_name": "Anna",
            "last_name": "B",
            "email": "a@example.org",
            "job_title": "",
            "status": "cancelled",
        },
    )
    enrolment.refresh_from_db()
    assert (enrolment.first_name, enrolment.status) == ("Anna", "registered")


def session_change_data(session, **overrides):
    days = list(session.days.all())
    data = session_post(
        session.course,
        session.location,
        **{
            "days-TOTAL_FORMS": str(len(days)),
            "days-INITIAL_FORMS": str(len(days)),
            "capacity": str(session.capacity),
            "min_participants": str(session.min_participants),
            "registration_deadline_0": timezone.localtime(session.registration_deadline)
            .date()
            .isoformat(),
            "registration_deadline_1": "09:00",
        },
    )
    enrolments = list(session.enrolments.order_by("status", "created_at", "pk"))
    data.update(
        {
            "enrolments-TOTAL_FORMS": str(len(enrolments)),
            "enrolments-INITIAL_FORMS": str(len(enrolments)),
            "enrolments-MIN_NUM_FORMS": "0",
            "enrolments-MAX_NUM_FORMS": "0",
        }
    )
    for i, enrolment in enumerate(enrolments):
        data.update({f"enrolments-{i}-id": enrolment.pk, f"enrolments-{i}-session": session.pk})
    for i, day in enumerate(days):
        data.update(
            {
                f"days-{i}-id": day.pk,
                f"days-{i}-session": session.pk,
                f"days-{i}-date": day.date.isoformat(),
                f"days-{i}-start_time": day.start_time.strftime("%H:%M"),
                f"days-{i}-end_time": day.end_time.strftime("%H:%M"),
            }
        )
    data.update(overrides)
    return data


def test_lowering_capacity_below_registrations_is_refused(client, adviser):
    session = SessionFactory(
        capacity=3, registration_deadline=timezone.now() + datetime.timedelta(days=3)
    )
    for _ in range(3):
        EnrolmentFactory(session=session)
    url = reverse("admin:trainings_session_change", args=[session.pk])
    response = client.post(url, session_change_data(session, capacity="2"))
    assert response.status_code == 200
    assert "al 3 deelnemers ingeschreven" in response.content.decode()
    session.refresh_from_db()
    assert session.capacity == 3


def test_raising_capacity_promotes_the_waiting_list(client, adviser):
    session = SessionFactory(
        capacity=1, registration_deadline=timezone.now() + datetime.timedelta(days=3)
    )
    EnrolmentFactory(session=session)
    waiting = EnrolmentFactory(session=session, status="waitlisted")
    url = reverse("admin:trainings_session_change", args=[session.pk])
    response = client.post(url, session_change_data(session, capacity="2"), follow=True)
    assert "van de wachtlijst is ingeschreven" in response.content.decode()
    waiting.refresh_from_db()
    assert waiting.status == "registered"


def test_confirm_and_cancel_actions_tell_the_participants(client, adviser):
    go, stop = SessionFactory(), SessionFactory()
    EnrolmentFactory(session=go)
    EnrolmentFactory(session=stop)
    url = reverse("admin:trainings_session_changelist")
    client.post(url, {"action": "confirm", "_selected_action": [go.pk], "confirm": "1"})
    client.post(
        url,
        {
            "action": "cancel",
            "_selected_action": [stop.pk],
            "confirm": "1",
            "reason": "Trainer ziek",
        },
    )
    go.refresh_from_db()
    stop.refresh_from_db()
    assert (go.status, stop.status, stop.cancellation_reason) == (
        "confirmed",
        "cancelled",
        "Trainer ziek",
    )
    assert QueuedEmail.objects.filter(kind="session_confirmed").count() == 1
    assert QueuedEmail.objects.filter(kind="session_cancelled").count() == 1


@pytest.mark.parametrize("action", ["confirm", "cancel"])
def test_session_decision_action_first_shows_a_confirmation_page(client, adviser, action):
    session = SessionFactory()
    EnrolmentFactory(session=session)
    url = reverse("admin:trainings_session_changelist")
    response = client.post(url, {"action": action, "_selected_action": [session.pk]})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="confirm" value="1"' in html and f'value="{action}"' in html
    assert escape(str(session)) in html
    session.refresh_from_db()
    assert session.status == "scheduled"
    assert not QueuedEmail.objects.filter(kind__startswith="session_").exists()


def test_confirming_the_go_decision_confirms_and_mails(client, adviser):
    session = SessionFactory()
    EnrolmentFactory(session=session)
    url = reverse("admin:trainings_session_changelist")
    response = client.post(
        url, {"action": "confirm", "_selected_action": [session.pk], "confirm": "1"}, follow=True
    )
    assert "1 sessie gaat door" in response.content.decode()
    session.refresh_from_db()
    assert session.status == "confirmed"
    assert QueuedEmail.objects.filter(kind="session_confirmed").count() == 1


def test_session_page_lists_enrolments_read_only(client, adviser):
    session = SessionFactory(capacity=1)
    EnrolmentFactory(session=session, first_name="Anna", last_name="Smit")
    EnrolmentFactory(session=session, status="waitlisted")
    html = client.get(reverse("admin:trainings_session_change", args=[session.pk])).content.decode()
    assert "Anna Smit" in html
    assert "Inschrijving toevoegen" in html
    assert 'name="enrolments-0-status"' not in html


def test_scheduling_a_session_mails_the_interested(client, adviser):
    course = CourseFactory(default_capacity=12)
    Interest.objects.create(course=course, email="a@example.org", consent_at=timezone.now())
    response = client.post(
        reverse("admin:trainings_session_add"), session_post(course, LocationFactory()), follow=True
    )
    assert "1 geïnteresseerde krijgt een e-mail" in response.content.decode()
    assert QueuedEmail.objects.get(kind="interest").to == "a@example.org"
    assert Session.objects.count() == 1


def test_interest_changelist_summarises_per_course_and_city(client, adviser):
    course = CourseFactory(title="IDO en jongeren")
    for email, city in [("a@x.org", "Utrecht"), ("b@x.org", "Utrecht"), ("c@x.org", "Gent")]:
        Interest.objects.create(course=course, email=email, city=city, consent_at=timezone.now())
    html = client.get(reverse("admin:enrolments_interest_changelist")).content.decode()
    assert "Wachtend op een sessie, per training en plaats" in html
    assert "IDO en jongeren" in html and "<td>Utrecht</td><td>2</td>" in html


def test_enrolment_list_defaults_to_upcoming_sessions(client, adviser):
    coming = EnrolmentFactory(session=SessionFactory(days=[7]))
    gone = EnrolmentFactory(session=SessionFactory(days=[-7]))
    url = reverse("admin:enrolments_enrolment_changelist")
    assert list(client.get(url).context["cl"].result_list) == [coming]
    everyone = client.get(url, {"period": "all"}).context["cl"].result_list
    assert set(everyone) == {coming, gone}
    assert list(client.get(url, {"period": "past"}).context["cl"].result_list) == [gone]


def test_enrolment_list_of_all_periods_keeps_its_query_count(
    client, adviser, django_assert_max_num_queries
):
    url = reverse("admin:enrolments_enrolment_changelist")
    EnrolmentFactory(session=SessionFactory(days=[-7]))
    with CaptureQueriesContext(connection) as one:
        client.get(url, {"period": "all"})
    for offset in range(30):
        EnrolmentFactory(session=SessionFactory(days=[-8 - offset]))
    with django_assert_max_num_queries(len(one)):
        response = client.get(url, {"period": "all"})
    assert response.context["cl"].result_count == 31
