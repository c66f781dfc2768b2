import datetime

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group, User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from enrolments.models import EnrolmentGroup, Organisation
from tests.factories import (
    AudienceFactory,
    CourseFactory,
    EnrolmentFactory,
    FormatFactory,
    LocationFactory,
    PriceFactory,
    ProviderFactory,
    RawEnrolmentFactory,
    SessionFactory,
)
from trainings.models import Session

pytestmark = pytest.mark.django_db

PROJECT_MODELS = [
    model for model in admin.site._registry if model._meta.app_label in {"trainings", "enrolments"}
]


@pytest.fixture
def superuser(client):
    user = User.objects.create_superuser("beheer", "beheer@example.org", "x")
    client.force_login(user)
    return user


def url(model, view: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


# Made on the site by the person themselves, or by the system: never added in the admin.
NOT_ADDED_IN_ADMIN = {
    "enrolments.Interest",
    "enrolments.SessionRequest",
    "enrolments.QueuedEmail",
    "enrolments.EnrolmentGroup",
}


@pytest.mark.parametrize("model", PROJECT_MODELS, ids=lambda m: m._meta.label)
def test_changelist_and_add_form_open_for_a_superuser(client, superuser, model):
    SessionFactory()
    assert client.get(url(model, "changelist")).status_code == 200
    assert client.get(url(model, "changelist"), {"q": "a"}).status_code == 200
    expected = 403 if model._meta.label in NOT_ADDED_IN_ADMIN else 200
    assert client.get(url(model, "add")).status_code == expected


def fill(count: int):
    format_ = FormatFactory(slug="klassikaal", name="Klassikaal")
    audience = AudienceFactory(slug="ido", name="IDO")
    provider = ProviderFactory(slug="poi", name="POI")
    for _ in range(count):
        course = CourseFactory(formats=[format_], audiences=[audience], providers=[provider])
        PriceFactory(course=course)
        session = SessionFactory(course=course, location=LocationFactory())
        enrolment = EnrolmentFactory(session=session)
        Organisation.objects.create(name=f"Organisatie {course.pk}", type="library", country="NL")
        group = EnrolmentGroup.objects.create(
            session=session,
            organisation=enrolment.organisation,
            submitted_by_name="Teamleider",
            submitted_by_email="lead@example.org",
        )
        enrolment.group = group
        enrolment.save(update_fields=["group"])


@pytest.mark.parametrize("model", PROJECT_MODELS, ids=lambda m: m._meta.label)
def test_changelist_query_count_does_not_grow(
    client, superuser, model, django_assert_max_num_queries
):
    fill(1)
    with CaptureQueriesContext(connection) as one:
        assert client.get(url(model, "changelist")).status_code == 200
    fill(49)
    with CaptureQueriesContext(connection) as fifty:
        client.get(url(model, "changelist"))
    assert len(fifty) == len(one), [q["sql"][:120] for q in fifty.captured_queries]
    with django_assert_max_num_queries(12):
        client.get(url(model, "changelist"))


def test_session_changelist_shows_annotated_fill(client, superuser):
    session = SessionFactory(capacity=12, min_participants=6)
    EnrolmentFactory(session=session)
    # Raw: one row of each count is enough for the text; the services would only wait-list
    # the thirteenth person.
    RawEnrolmentFactory(session=session, status="waitlisted")
    html = client.get(url(Session, "changelist")).content.decode()
    assert "1 van 12 (min. 6) · 1 op wachtlijst" in html


def listed(client, params=None) -> set[int]:
    response = client.get(url(Session, "changelist"), params or {})
    assert response.status_code == 200
    return {session.pk for session in response.context["cl"].result_list}


def test_session_changelist_shows_upcoming_sessions_by_default(client, superuser):
    upcoming, past = SessionFactory(days=[14]), SessionFactory(days=[-14])
    assert listed(client) == {upcoming.pk}
    assert past.pk not in listed(client, {"period": "upcoming"})


def test_session_changelist_period_past_shows_only_started_sessions(client, superuser):
    SessionFactory(days=[14])
    past = SessionFactory(days=[-14])
    assert listed(client, {"period": "past"}) == {past.pk}


def test_session_changelist_period_all_shows_every_session(client, superuser):
    sessions = {SessionFactory(days=[14]).pk, SessionFactory(days=[-14]).pk}
    assert listed(client, {"period": "all"}) == sessions


def test_session_changelist_filters_by_status(client, superuser):
    scheduled = SessionFactory()
    SessionFactory(status=Session.Status.CANCELLED)
    assert listed(client, {"status__exact": "scheduled"}) == {scheduled.pk}


def test_session_changelist_filters_by_city(client, superuser):
    utrecht = SessionFactory(location=LocationFactory(city="Utrecht"))
    SessionFactory(location=LocationFactory(city="Gouda"))
    SessionFactory(location=LocationFactory(city="Utrecht", is_online=True))
    assert listed(client, {"city": "Utrecht"}) == {utrecht.pk}


def test_session_changelist_filters_online_sessions(client, superuser):
    online = SessionFactory(location=LocationFactory(is_online=True))
    SessionFactory()
    assert listed(client, {"city": "online"}) == {online.pk}


def session_post(course, location, **overrides):
    day = timezone.localdate() + datetime.timedelta(days=30)
    data = {
        "course": course.pk,
        "location": location.pk,
        "status": "scheduled",
        "code": "",
        "capacity": "",
        "min_participants": "",
        "max_per_organisation": "",
        "registration_deadline_0": "",
        "registration_deadline_1": "",
        "organiser": "",
        "adviser": "",
        "trainer": "",
        "reserved_for": "",
        "online_url": "",
        "notes": "",
        "days-TOTAL_FORMS": "1",
        "days-INITIAL_FORMS": "0",
        "days-MIN_NUM_FORMS": "1",
        "days-MAX_NUM_FORMS": "1000",
        "days-0-date": day.isoformat(),
        "days-0-start_time": "09:30",
        "days-0-end_time": "12:30",
    }
    data.update(overrides)
    return data


def test_add_session_takes_defaults_from_the_course(client, superuser):
    course = CourseFactory(default_capacity=16, default_min_participants=6, max_per_organisation=16)
    location = LocationFactory()
    response = client.get(url(Session, "add"), {"course": course.pk})
    assert response.context["adminform"].form.initial["capacity"] == 16
    response = client.post(url(Session, "add"), session_post(course, location))
    assert response.status_code == 302, response.context["adminform"].form.errors
    session = Session.objects.get()
    assert (session.capacity, session.min_participants, session.max_per_organisation) == (16, 6, 16)
    day = timezone.localdate() + datetime.timedelta(days=30)
    assert timezone.localtime(session.starts_at).date() == day
    # No deadline given: a week before the first day.
    assert session.registration_deadline == session.starts_at - datetime.timedelta(days=7)


def test_add_session_needs_a_day(client, superuser):
    response = client.post(
        url(Session, "add"),
        session_post(CourseFactory(), LocationFactory(), **{"days-TOTAL_FORMS": "0"}),
    )
    assert response.status_code == 200
    assert not Session.objects.exists()


def test_add_session_refuses_deadline_after_first_day(client, superuser):
    late = timezone.localdate() + datetime.timedelta(days=40)
    response = client.post(
        url(Session, "add"),
        session_post(
            CourseFactory(),
            LocationFactory(),
            registration_deadline_0=late.isoformat(),
            registration_deadline_1="12:00",
        ),
    )
    assert response.status_code == 200
    assert "na het begin van de eerste dag" in response.content.decode()
    assert not Session.objects.exists()


def test_add_session_refuses_minimum_above_capacity(client, superuser):
    response = client.post(
        url(Session, "add"),
        session_post(CourseFactory(), LocationFactory(), capacity="5", min_participants="8"),
    )
    assert response.status_code == 200
    assert not Session.objects.exists()


def test_add_multi_day_session(client, superuser):
    first = timezone.localdate() + datetime.timedelta(days=30)
    second = first + datetime.timedelta(days=7)
    data = session_post(
        CourseFactory(),
        LocationFactory(),
        **{
            "days-TOTAL_FORMS": "2",
            "days-1-date": second.isoformat(),
            "days-1-start_time": "09:30",
            "days-1-end_time": "16:30",
        },
    )
    assert client.post(url(Session, "add"), data).status_code == 302
    session = Session.objects.get()
    assert session.days.count() == 2
    assert timezone.localtime(session.ends_at).date() == second


def test_duplicate_session_to_a_new_date(client, superuser):
    session = SessionFactory(
        days=[10, 17],
        capacity=14,
        trainer="Cybersoek",
        registration_deadline=timezone.now() + datetime.timedelta(days=3),
    )
    EnrolmentFactory(session=session)
    changelist = url(Session, "changelist")
    response = client.post(changelist, {"action": "duplicate", "_selected_action": [session.pk]})
    assert response.status_code == 200
    assert "Nieuwe eerste dag" in response.content.decode()
    new_first = timezone.localdate() + datetime.timedelta(days=40)
    response = client.post(
        changelist,
        {
            "action": "duplicate",
            "_selected_action": [session.pk],
            "first_day": new_first.isoformat(),
        },
    )
    assert response.status_code == 302
    assert Session.objects.count() == 1
    response = client.get(response["Location"])
    initial = response.context["adminform"].form.initial
    formset = response.context["inline_admin_formsets"][0].formset
    assert [form.initial["date"] for form in formset.forms] == [
        new_first,
        new_first + datetime.timedelta(days=7),
    ]
    local_deadline = timezone.localtime(session.registration_deadline)
    assert initial["registration_deadline"] == local_deadline + datetime.timedelta(days=30)
    assert (initial["capacity"], initial["trainer"], initial["adviser"]) == (
        14,
        "Cybersoek",
        superuser.pk,
    )
    assert "enrolments-TOTAL_FORMS" not in response.content.decode()


def test_course_change_page_links_to_planning_a_session(client, superuser):
    course = CourseFactory()
    html = client.get(url(course, "change", course.pk)).content.decode()
    assert f"{url(Session, 'add')}?course={course.pk}" in html


def test_adviser_group_can_manage_courses_and_sessions(client):
    adviser = User.objects.create_user("adviseur", is_staff=True)
    adviser.groups.add(Group.objects.get(name="POI-adviseurs"))
    client.force_login(adviser)
    course = CourseFactory()
    assert client.get(url(course, "change", course.pk)).status_code == 200
    assert client.get(url(Session, "add")).status_code == 200
    assert client.get(reverse("admin:auth_user_changelist")).status_code == 403


def _winter_session():
    """A two-day session in February next year with its deadline on 9 February, 09:30."""
    year = timezone.localdate().year + 1
    amsterdam = timezone.get_default_timezone()
    return SessionFactory(
        days=[
            (datetime.date(year, 2, 16), datetime.time(9, 30), datetime.time(12, 30)),
            (datetime.date(year, 2, 17), datetime.time(13), datetime.time(16)),
        ],
        registration_deadline=datetime.datetime(year, 2, 9, 9, 30, tzinfo=amsterdam),
        trainer="Sanne de Vries",
    )


def test_duplicating_saves_nothing_and_opens_the_add_form(client, superuser):
    session = _winter_session()
    year = session.starts_at.year
    new_first_day = datetime.date(year, 4, 13)  # eight weeks later, after the switch to DST
    response = client.post(
        url(Session, "changelist"),
        {
            "action": "duplicate",
            "_selected_action": [session.pk],
            "first_day": new_first_day.isoformat(),
        },
    )
    assert response.status_code == 302
    assert response["Location"].startswith(url(Session, "add") + "?")
    assert Session.objects.count() == 1

    response = client.get(response["Location"])
    assert response.status_code == 200
    assert "nog niet bestaat" in response.content.decode()
    initial = response.context["adminform"].form.initial
    deadline = timezone.localtime(initial["registration_deadline"])
    assert (deadline.date(), deadline.time()) == (datetime.date(year, 4, 6), datetime.time(9, 30))
    assert (initial["course"], initial["location"], initial["trainer"]) == (
        session.course_id,
        session.location_id,
        "Sanne de Vries",
    )
    formset = response.context["inline_admin_formsets"][0].formset
    assert [form.initial for form in formset.forms] == [
        {
            "date": datetime.date(year, 4, 13),
            "start_time": datetime.time(9, 30),
            "end_time": datetime.time(12, 30),
        },
        {
            "date": datetime.date(year, 4, 14),
            "start_time": datetime.time(13),
            "end_time": datetime.time(16),
        },
    ]
    assert Session.objects.count() == 1


def test_the_copy_exists_once_saved_with_local_wall_clock_times(client, superuser):
    session = _winter_session()
    year = session.starts_at.year
    add = url(Session, "add") + f"?duplicate={session.pk}&first_day={year}-04-13"
    data = session_post(
        session.course,
        session.location,
        **{
            "registration_deadline_0": f"{year}-04-06",
            "registration_deadline_1": "09:30",
            "days-0-date": f"{year}-04-13",
        },
    )
    response = client.post(add, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    copy = Session.objects.exclude(pk=session.pk).get()
    assert copy.status == "scheduled"
    assert timezone.localtime(copy.registration_deadline).time() == datetime.time(9, 30)
    assert timezone.localtime(copy.starts_at).time() == datetime.time(9, 30)


def test_a_bad_duplicate_link_opens_an_empty_add_form(client, superuser):
    response = client.get(url(Session, "add") + "?duplicate=999999&first_day=1800-01-01")
    assert response.status_code == 200
    assert "registration_deadline" not in response.context["adminform"].form.initial


def test_session_list_hides_the_past_and_shows_the_next_session_first(client, superuser):
    past = SessionFactory(days=[-10])
    far = SessionFactory(days=[60])
    near = SessionFactory(days=[5])
    response = client.get(url(Session, "changelist"))
    assert list(response.context["cl"].result_list) == [near, far]
    assert "?period=all" in response.content.decode()  # the "Alle" choice
    everything = client.get(url(Session, "changelist"), {"period": "all"}).context["cl"]
    assert list(everything.result_list) == [past, near, far]
    looking_back = client.get(url(Session, "changelist"), {"period": "past"}).context["cl"]
    assert list(looking_back.result_list) == [past]


@pytest.mark.parametrize("period", ["all", "past"])
def test_session_list_query_count_with_another_period(
    client, superuser, period, django_assert_max_num_queries
):
    SessionFactory(days=[-3])
    with CaptureQueriesContext(connection) as one:
        client.get(url(Session, "changelist"), {"period": period})
    for offset in range(30):
        EnrolmentFactory(session=SessionFactory(days=[-4 - offset]))
    with django_assert_max_num_queries(len(one)):
        response = client.get(url(Session, "changelist"), {"period": period})
    assert response.context["cl"].result_count == 31


def test_taxonomy_names_are_edited_per_language(client, superuser):
    from trainings.models import Format

    client.force_login(superuser)
    page = client.get(reverse("admin:trainings_format_add")).content.decode()
    assert 'name="name_nl"' in page
    assert 'name="name_en"' in page
    response = client.post(
        reverse("admin:trainings_format_add"),
        {"name_nl": "Webinar live", "name_en": "Live webinar", "slug": "webinar", "position": 7},
    )
    assert response.status_code == 302, response.content.decode()
    saved = Format.objects.get(slug="webinar")
    assert (saved.name_nl, saved.name_en) == ("Webinar live", "Live webinar")
