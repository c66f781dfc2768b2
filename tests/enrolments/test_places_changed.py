"""The place services announce every place taken or freed with trainings.signals.places_changed,
so whoever shows places left (the page cache) listens without enrolments knowing it."""

import pytest

from enrolments.places import services
from tests.factories import SessionFactory
from trainings.models import Session
from trainings.signals import places_changed

pytestmark = pytest.mark.django_db


@pytest.fixture
def heard():
    slugs = []

    def receiver(sender, course_slug, **kwargs):
        slugs.append((sender, course_slug))

    places_changed.connect(receiver, dispatch_uid="test-places-changed")
    yield slugs
    places_changed.disconnect(dispatch_uid="test-places-changed")


def enrol(session, email):
    return services.enrolment_create(
        session_id=session.pk,
        first_name="Anna",
        last_name="Jansen",
        email=email,
        organisation="Bibliotheek Utrecht",
    )


def test_taking_a_place_sends_places_changed_with_the_course_slug(heard):
    session = SessionFactory(capacity=1)
    enrol(session, "anna@example.org")
    assert heard == [(Session, session.course.slug)]


def test_freeing_a_place_sends_places_changed(heard):
    session = SessionFactory(capacity=1)
    enrolment = enrol(session, "anna@example.org").enrolment
    heard.clear()
    services.enrolment_cancel(enrolment_id=enrolment.pk)
    assert heard == [(Session, session.course.slug)]


def test_a_refused_enrolment_sends_nothing(heard):
    session = SessionFactory(status=Session.Status.CANCELLED)
    with pytest.raises(services.SessionCancelled):
        enrol(session, "anna@example.org")
    assert heard == []
