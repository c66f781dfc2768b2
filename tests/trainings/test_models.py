import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from tests.factories import (
    CourseFactory,
    EnrolmentFactory,
    LocationFactory,
    RawEnrolmentFactory,
    SessionFactory,
)
from trainings.models import Course, Location, Price, Resource, Session, SessionDay

pytestmark = pytest.mark.django_db


def violates(callable_) -> bool:
    try:
        with transaction.atomic():
            callable_()
    except IntegrityError:
        return True
    return False


def test_course_slug_is_unique():
    CourseFactory(slug="privacy")
    assert violates(lambda: CourseFactory(slug="privacy", title="Andere titel"))


def test_course_minimum_cannot_exceed_default_capacity():
    assert violates(lambda: CourseFactory(default_capacity=10, default_min_participants=11))
    CourseFactory(default_capacity=10, default_min_participants=10)


def test_session_capacity_must_be_positive():
    session = SessionFactory()
    assert violates(lambda: Session.objects.filter(pk=session.pk).update(capacity=0))


def test_session_minimum_cannot_exceed_capacity():
    session = SessionFactory(capacity=10)
    assert violates(lambda: Session.objects.filter(pk=session.pk).update(min_participants=11))


def test_session_day_must_end_after_it_starts():
    session = SessionFactory()
    assert violates(
        lambda: SessionDay.objects.create(
            session=session,
            date=timezone.localdate() + datetime.timedelta(days=30),
            start_time=datetime.time(12),
            end_time=datetime.time(9),
        )
    )


def test_session_span_must_end_after_it_starts():
    session = SessionFactory()
    assert violates(lambda: Session.objects.filter(pk=session.pk).update(ends_at=session.starts_at))


def test_session_code_unique_only_when_given():
    SessionFactory(code="")
    SessionFactory(code="")
    SessionFactory(code="IDO-1")
    assert violates(lambda: SessionFactory(code="IDO-1"))


def test_price_for_a_participant_needs_an_amount():
    course = CourseFactory()
    assert violates(lambda: Price.objects.create(course=course, kind=Price.Kind.PER_PARTICIPANT))
    Price.objects.create(course=course, kind=Price.Kind.PER_PARTICIPANT, amount=Decimal("25"))


def test_price_free_under_condition_needs_the_condition():
    course = CourseFactory()
    assert violates(
        lambda: Price.objects.create(course=course, kind=Price.Kind.FREE_UNDER_CONDITION)
    )


def test_price_amount_cannot_be_negative():
    course = CourseFactory()
    assert violates(
        lambda: Price.objects.create(
            course=course, kind=Price.Kind.PER_RESERVED_SESSION, amount=Decimal("-1")
        )
    )


def test_one_price_per_kind_per_course():
    course = CourseFactory()
    Price.objects.create(course=course, kind=Price.Kind.PER_PARTICIPANT, amount=Decimal("25"))
    assert violates(
        lambda: Price.objects.create(
            course=course, kind=Price.Kind.PER_PARTICIPANT, amount=Decimal("30")
        )
    )


def test_venue_needs_a_city_but_online_does_not():
    assert violates(lambda: Location.objects.create(name="Zaal", city=""))
    Location.objects.create(name="Online", is_online=True)


def test_resource_is_a_file_or_a_link_not_both():
    course = CourseFactory()
    assert violates(
        lambda: Resource.objects.create(
            course=course, title="Toolkit", file="resources/a.pdf", url="https://example.org"
        )
    )


def test_resource_belongs_to_a_course_or_profile():
    assert violates(lambda: Resource.objects.create(title="Los materiaal"))


def test_enrolment_email_unique_per_session_case_insensitively_unless_cancelled():
    # The database constraint itself: rows written past the services, which would refuse the
    # duplicate before the database sees it.
    session = SessionFactory()
    RawEnrolmentFactory(session=session, email="anna@example.org")
    assert violates(lambda: RawEnrolmentFactory(session=session, email="Anna@Example.org"))
    RawEnrolmentFactory(session=session, email="bob@example.org", status="cancelled")
    RawEnrolmentFactory(session=session, email="bob@example.org")


def test_sync_span_takes_first_start_and_last_end_of_the_days():
    today = timezone.localdate()
    session = SessionFactory(
        days=[
            (today + datetime.timedelta(days=20), datetime.time(9, 30), datetime.time(16, 30)),
            (today + datetime.timedelta(days=10), datetime.time(13), datetime.time(17)),
        ]
    )
    session.refresh_from_db()
    first = timezone.localtime(session.starts_at)
    last = timezone.localtime(session.ends_at)
    assert (first.date(), first.time()) == (today + datetime.timedelta(days=10), datetime.time(13))
    assert (last.date(), last.time()) == (
        today + datetime.timedelta(days=20),
        datetime.time(16, 30),
    )


def test_brussels_session_uses_brussels_time():
    location = LocationFactory(city="Brussel", country="BE")
    session = SessionFactory(location=location, days=[30])
    assert str(session.days.get().starts_at.tzinfo) == "Europe/Brussels"


def test_places_left_and_minimum_come_from_annotated_counts():
    session = SessionFactory(capacity=3, min_participants=2)
    EnrolmentFactory(session=session)
    EnrolmentFactory(session=session, status="cancelled")
    # Raw: a waiting list beside free places (the services never leave one; a cancellation
    # would promote them) shows that only registered people take a place.
    RawEnrolmentFactory(session=session, status="waitlisted")
    annotated = Session.objects.with_counts().get(pk=session.pk)
    assert annotated.registered_count == 1
    assert annotated.waitlisted_count == 1
    assert annotated.places_left == 2
    assert annotated.needs_more_registrations == 1
    assert not annotated.is_full


def test_open_for_registration_excludes_cancelled_closed_and_started():
    open_session = SessionFactory(days=[10])
    SessionFactory(days=[10], status=Session.Status.CANCELLED)
    SessionFactory(days=[10], registration_deadline=timezone.now() - datetime.timedelta(hours=1))
    SessionFactory(days=[-1])
    assert list(Session.objects.open_for_registration()) == [open_session]


def test_published_courses_only():
    published = CourseFactory(is_published=True)
    CourseFactory(is_published=False)
    assert list(Course.objects.published()) == [published]


def test_default_deadline_keeps_the_local_time_across_daylight_saving():
    amsterdam = ZoneInfo("Europe/Amsterdam")
    # First day after the switch to summer time (last Sunday of March 2026).
    first_start = datetime.datetime(2026, 4, 2, 9, 30, tzinfo=amsterdam)
    deadline = Session.default_closes_at(first_start.astimezone(datetime.UTC), amsterdam)
    local = deadline.astimezone(amsterdam)
    assert (local.date(), local.time()) == (datetime.date(2026, 3, 26), datetime.time(9, 30))


def test_session_defaults_come_from_the_course():
    course = CourseFactory(default_capacity=16, default_min_participants=None)
    assert course.session_defaults() == {
        "capacity": 16,
        "min_participants": 0,
        "max_per_organisation": course.max_per_organisation,
    }


def test_the_span_follows_a_day_moved_or_deleted_without_the_caller_asking():
    today = timezone.localdate()
    session = SessionFactory(days=[10, 20])
    first, last = session.days.order_by("date")
    last.date = today + datetime.timedelta(days=30)
    last.save()
    session.refresh_from_db()
    assert timezone.localtime(session.ends_at).date() == today + datetime.timedelta(days=30)
    first.delete()
    session.refresh_from_db()
    assert timezone.localtime(session.starts_at).date() == today + datetime.timedelta(days=30)
