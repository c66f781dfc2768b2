"""Marking attendance: the service, the phone page and the admin."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from enrolments.models import Attendance, Enrolment
from enrolments.settlement.attendance import AttendanceNotAllowed, attendance_mark
from tests.factories import EnrolmentFactory, SessionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def trainer(django_user_model, client):
    user = django_user_model.objects.create_user(
        "trainer", password="x", is_staff=True, first_name="Tessa", last_name="Trainer"
    )
    user.groups.add(Group.objects.get(name="Trainers"))
    client.force_login(user)
    return user


def url(session) -> str:
    return reverse("enrolments:attendance", args=[session.pk])


def past_session(people: int = 3, days=(-1,), capacity: int = 20):
    session = SessionFactory(
        days=list(days), capacity=max(capacity, people), trainer="Tessa Trainer"
    )
    enrolments = [EnrolmentFactory(session=session, last_name=f"Jansen{i}") for i in range(people)]
    return session, enrolments


def test_the_service_stores_and_changes_a_mark(trainer):
    session, (anna, *_rest) = past_session()
    day = session.days.get()
    mark = attendance_mark(enrolment_id=anna.pk, day_id=day.pk, status="absent", by_user=trainer)
    assert (mark.status, mark.marked_by) == ("absent", trainer)
    attendance_mark(enrolment_id=anna.pk, day_id=day.pk, status="present")
    assert Attendance.objects.get(enrolment=anna, day=day).status == "present"


def test_tapping_the_same_status_again_keeps_when_it_was_given():
    session, (anna, *_rest) = past_session()
    day = session.days.get()
    first = attendance_mark(enrolment_id=anna.pk, day_id=day.pk, status="excused")
    again = attendance_mark(enrolment_id=anna.pk, day_id=day.pk, status="excused")
    assert again.marked_at == first.marked_at


def test_only_registered_people_are_marked():
    session, (_anna, *_rest) = past_session(capacity=3)  # full: the fourth waits
    waiting = EnrolmentFactory(session=session, status=Enrolment.Status.WAITLISTED)
    with pytest.raises(AttendanceNotAllowed):
        attendance_mark(enrolment_id=waiting.pk, day_id=session.days.get().pk, status="present")


def test_no_presence_before_the_day_but_an_excuse_is_taken():
    future = SessionFactory(days=[3])
    person = EnrolmentFactory(session=future)
    with pytest.raises(AttendanceNotAllowed):
        attendance_mark(enrolment_id=person.pk, day_id=future.days.get().pk, status="present")
    # Someone can already say they will not come.
    attendance_mark(enrolment_id=person.pk, day_id=future.days.get().pk, status="excused")


def test_the_page_asks_to_log_in_and_refuses_others(client, django_user_model):
    session, _people = past_session()
    response = client.get(url(session))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    client.force_login(django_user_model.objects.create_user("x", is_staff=True))
    assert client.get(url(session)).status_code == 403


def test_the_page_lists_registered_people_by_surname(client, trainer):
    session = SessionFactory(days=[-1], trainer="Tessa Trainer", capacity=2)
    EnrolmentFactory(session=session, first_name="Bas", last_name="de Vries")
    EnrolmentFactory(session=session, first_name="Ali", last_name="Bakker")
    EnrolmentFactory(session=session, first_name="Wil", last_name="Wacht", status="waitlisted")
    html = client.get(url(session)).content.decode()
    assert html.index("Bakker, Ali") < html.index("de Vries, Bas")
    assert "Wacht" not in html


def test_one_tap_saves_and_returns_to_the_person(client, trainer):
    session, (anna, *_rest) = past_session()
    day = session.days.get()
    response = client.post(url(session), {"day": day.pk, "enrolment": anna.pk, "status": "present"})
    assert response.status_code == 302
    assert response["Location"].endswith(f"?dag={day.pk}#p-{anna.pk}")
    assert Attendance.objects.get(enrolment=anna).status == "present"
    page = client.get(url(session)).content.decode()
    assert 'class="mark mark--present" aria-pressed="true"' in page


def test_a_tap_from_the_script_gets_the_new_counts(client, trainer):
    session, (_anna, bert, _carla) = past_session()
    day = session.days.get()
    response = client.post(
        url(session),
        {"day": day.pk, "enrolment": bert.pk, "status": "absent"},
        headers={"X-Requested-With": "fetch"},
    )
    assert response.json() == {
        "ok": True,
        "counts": {"present": 0, "absent": 1, "excused": 0, "unmarked": 2},
    }


def test_bad_taps_are_refused_with_a_message(client, trainer):
    session, (anna, *_rest) = past_session()
    other, (stranger, *_x) = past_session()
    day = session.days.get()
    for data in [
        {"day": day.pk, "enrolment": anna.pk, "status": "sleeping"},
        {"day": day.pk, "enrolment": stranger.pk, "status": "present"},
        {"day": other.days.get().pk, "enrolment": anna.pk, "status": "present"},
        {"day": day.pk, "enrolment": "abc", "status": "present"},
    ]:
        response = client.post(url(session), data, headers={"X-Requested-With": "fetch"})
        assert response.status_code == 400
        assert response.json()["error"]
    assert not Attendance.objects.exists()
    page = client.post(url(session), {"day": day.pk, "enrolment": "abc", "status": "present"})
    assert page.status_code == 400 and "notice--warning" in page.content.decode()


def test_everyone_not_yet_marked_can_be_marked_present_at_once(client, trainer):
    session, (anna, bert, carla) = past_session()
    day = session.days.get()
    attendance_mark(enrolment_id=anna.pk, day_id=day.pk, status="absent")
    client.post(url(session), {"day": day.pk, "enrolment": "unmarked", "status": "present"})
    marks = dict(Attendance.objects.values_list("enrolment_id", "status"))
    assert marks == {anna.pk: "absent", bert.pk: "present", carla.pk: "present"}


def test_each_day_of_a_multi_day_session_has_its_own_marks(client, trainer):
    session, (anna, *_rest) = past_session(days=(-8, -1))
    first, second = session.days.order_by("date")
    html = client.get(url(session)).content.decode()
    assert f"?dag={first.pk}" in html and 'aria-current="page"' in html
    client.post(url(session), {"day": first.pk, "enrolment": anna.pk, "status": "present"})
    client.post(url(session), {"day": second.pk, "enrolment": anna.pk, "status": "absent"})
    marks = dict(Attendance.objects.values_list("day_id", "status"))
    assert marks == {first.pk: "present", second.pk: "absent"}


@pytest.mark.parametrize("people", [1, 30])
def test_the_page_needs_the_same_queries_for_few_or_many(
    client, trainer, people, django_assert_max_num_queries
):
    session, enrolments = past_session(people=people)
    day = session.days.get()
    for enrolment in enrolments:
        attendance_mark(enrolment_id=enrolment.pk, day_id=day.pk, status="present")
    with django_assert_max_num_queries(9):
        assert client.get(url(session)).status_code == 200


def test_advisers_mark_in_the_admin_too(admin_client):
    session, (anna, *_rest) = past_session()
    day = session.days.get()
    change = reverse("admin:enrolments_enrolment_change", args=[anna.pk])
    response = admin_client.post(
        change,
        {
            "first_name": anna.first_name,
            "last_name": anna.last_name,
            "email": anna.email,
            "job_title": "",
            "events-TOTAL_FORMS": "0",
            "events-INITIAL_FORMS": "0",
            "attendance-TOTAL_FORMS": "1",
            "attendance-INITIAL_FORMS": "0",
            "attendance-0-day": day.pk,
            "attendance-0-status": "excused",
        },
    )
    assert response.status_code == 302
    assert Attendance.objects.get(enrolment=anna).status == "excused"


def test_the_session_in_the_admin_links_to_the_attendance_page(admin_client):
    session, _people = past_session()
    page = admin_client.get(reverse("admin:trainings_session_change", args=[session.pk]))
    assert url(session) in page.content.decode()


def test_trainers_have_only_the_attendance_permission():
    trainers = Group.objects.get(name="Trainers")
    assert set(trainers.permissions.values_list("codename", flat=True)) == {"mark_attendance"}
    assert Permission.objects.filter(
        codename="mark_attendance", group__name="POI-adviseurs"
    ).exists()
