"""Trainers see and mark their own sessions only; advisers see every session."""

import pytest
from django.contrib.auth.models import Group, Permission, User
from django.urls import reverse

from enrolments.models import Attendance
from tests.factories import EnrolmentFactory, SessionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def tessa(client):
    user = User.objects.create_user(
        "tessa", is_staff=True, first_name="Tessa", last_name="de Wit", email="tessa@poi.nl"
    )
    user.groups.add(Group.objects.get(name="Trainers"))
    client.force_login(user)
    return user


@pytest.fixture
def sessions():
    """(hers, someone else's): both took place yesterday, one person each."""
    hers = SessionFactory(days=[-1], trainer="Tessa de Wit")
    other = SessionFactory(days=[-1], trainer="Piet Jansen")
    for session in (hers, other):
        EnrolmentFactory(session=session)
    return hers, other


def attendance(session) -> str:
    return reverse("enrolments:attendance", args=[session.pk])


def tap(client, session):
    enrolment = session.enrolments.get()
    return client.post(
        attendance(session),
        {"day": session.days.get().pk, "enrolment": enrolment.pk, "status": "present"},
    )


def test_a_trainer_reads_and_marks_their_own_session(client, tessa, sessions):
    hers, _other = sessions
    assert client.get(attendance(hers)).status_code == 200
    assert tap(client, hers).status_code == 302
    assert Attendance.objects.get().enrolment.session == hers


def test_a_trainer_gets_403_on_another_trainers_session(client, tessa, sessions):
    _hers, other = sessions
    assert client.get(attendance(other)).status_code == 403
    assert tap(client, other).status_code == 403
    assert not Attendance.objects.exists()


def test_a_trainer_prints_the_presentielijst_of_their_own_session_only(client, tessa, sessions):
    hers, other = sessions
    page = client.get(attendance(hers)).content.decode()
    own_list = reverse("enrolments:attendance-list", args=[hers.pk])
    assert own_list in page
    assert client.get(own_list).status_code == 200
    other_list = reverse("enrolments:attendance-list", args=[other.pk])
    assert client.get(other_list).status_code == 403


def test_a_trainer_cannot_mark_another_session_in_the_admin(client, tessa, sessions):
    # Even a trainer who may also edit enrolments (but not plan sessions) is no adviser.
    tessa.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_enrolment", "change_enrolment"])
    )
    _hers, other = sessions
    enrolment = other.enrolments.get()
    change = reverse("admin:enrolments_enrolment_change", args=[enrolment.pk])
    assert client.get(change).status_code == 200
    client.post(
        change,
        {
            "first_name": enrolment.first_name,
            "last_name": enrolment.last_name,
            "email": enrolment.email,
            "job_title": "",
            "events-TOTAL_FORMS": "0",
            "events-INITIAL_FORMS": "0",
            "attendance-TOTAL_FORMS": "1",
            "attendance-INITIAL_FORMS": "0",
            "attendance-0-day": other.days.get().pk,
            "attendance-0-status": "present",
        },
    )
    assert not Attendance.objects.exists()


@pytest.mark.parametrize("kind", ["adviser", "superuser"])
def test_advisers_see_and_mark_every_session(client, sessions, kind):
    if kind == "superuser":
        user = User.objects.create_superuser("root", "root@example.org", "x")
    else:
        user = User.objects.create_user("adviseur", is_staff=True)
        user.groups.add(Group.objects.get(name="POI-adviseurs"))
    client.force_login(user)
    for session in sessions:
        assert client.get(attendance(session)).status_code == 200
        assert tap(client, session).status_code == 302
    assert Attendance.objects.count() == 2
    admin_page = client.get(reverse("admin:trainings_session_change", args=[sessions[1].pk]))
    assert attendance(sessions[1]) in admin_page.content.decode()


@pytest.mark.parametrize(
    ("trainer", "expected"),
    [
        ("Tessa de Wit", True),
        ("  tessa  DE wit ", True),
        ("Tessa de Wit en Piet Jansen", True),
        ("Piet Jansen, Tessa de Wit", True),
        ("Piet Jansen & tessa", True),
        ("tessa@poi.nl", True),
        ("TESSA", True),  # her user name
        ("Tess", False),
        ("Tessa de Witte", False),
        ("Piet Jansen", False),
        ("", False),
    ],
)
def test_trainer_names_match_the_user(trainer, expected):
    from enrolments.settlement.attendance import trains

    user = User(username="tessa", first_name="Tessa", last_name="de Wit", email="tessa@poi.nl")
    assert trains(user, SessionFactory.build(trainer=trainer)) is expected


def test_a_user_without_any_name_trains_nothing():
    from enrolments.settlement.attendance import trains

    user = User(username="", first_name="", last_name="", email="")
    assert trains(user, SessionFactory.build(trainer=" ")) is False
