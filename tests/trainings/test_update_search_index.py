"""`manage.py update_search_index` rebuilds the search data of every course."""

import io

import pytest
from django.core.management import call_command

from tests.factories import CourseFactory
from trainings.models import Course

pytestmark = pytest.mark.django_db


def found(query: str) -> list[int]:
    return list(Course.objects.search(query).values_list("pk", flat=True))


def test_update_search_index_finds_text_changed_behind_the_index():
    course = CourseFactory(title="Privacy in het IDO")
    Course.objects.filter(pk=course.pk).update(title="Mediawijsheid voor senioren", summary="")
    assert found("mediawijsheid") == []
    call_command("update_search_index", stdout=io.StringIO())
    assert found("mediawijsheid") == [course.pk]
    assert found("privacy") == []


def test_update_search_index_reports_how_many_courses():
    CourseFactory.create_batch(3)
    out = io.StringIO()
    call_command("update_search_index", stdout=out)
    assert out.getvalue().strip() == "Zoekindex bijgewerkt voor 3 trainingen."
