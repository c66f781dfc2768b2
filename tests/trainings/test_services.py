import pytest

from tests.factories import CourseFactory
from trainings.models import Course
from trainings.services import courses_publish
from trainings.signals import offer_changed

pytestmark = pytest.mark.django_db


@pytest.fixture
def offer_changes():
    heard = []

    def receiver(sender, **kwargs):
        heard.append(sender)

    offer_changed.connect(receiver)
    yield heard
    offer_changed.disconnect(receiver)


def test_courses_back_to_draft_leave_the_others_alone(offer_changes):
    draft, kept = CourseFactory(is_published=True), CourseFactory(is_published=True)
    count = courses_publish(courses=Course.objects.filter(pk=draft.pk), published=False)
    assert count == 1
    assert list(Course.objects.filter(is_published=True)) == [kept]


def test_publishing_in_bulk_tells_the_catalogue(offer_changes):
    CourseFactory(is_published=False)
    offer_changes.clear()  # saving the course was heard too
    courses_publish(courses=Course.objects.all(), published=True)
    assert offer_changes == [Course]
