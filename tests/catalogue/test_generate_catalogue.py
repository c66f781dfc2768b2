import io

import pytest
from django.core.management import call_command
from django.db.models import Count, F, Q

from enrolments.models import Enrolment
from trainings.models import Course, Session

pytestmark = pytest.mark.django_db


def generate(**options):
    out = io.StringIO()
    call_command(
        "generate_catalogue",
        courses=options.pop("courses", 30),
        sessions_per_course=options.pop("sessions_per_course", 2),
        enrolments_per_session=options.pop("enrolments_per_session", 14),
        stdout=out,
        **options,
    )
    return out.getvalue()


def test_generates_the_requested_numbers():
    output = generate()
    assert "30 trainingen, 60 sessies, 840 inschrijvingen" in output
    assert Course.objects.filter(slug__startswith="gen-").count() == 30
    assert Session.objects.count() == 60
    assert Enrolment.objects.count() == 840
    assert all(s.days.exists() for s in Session.objects.prefetch_related("days"))


def test_generated_sessions_are_never_overbooked():
    generate(enrolments_per_session=30)
    overbooked = Session.objects.annotate(
        registered=Count("enrolments", filter=Q(enrolments__status=Enrolment.Status.REGISTERED))
    ).filter(registered__gt=F("capacity"))
    assert not overbooked.exists()
    assert Enrolment.objects.filter(status=Enrolment.Status.WAITLISTED).exists()


def test_generated_data_is_searchable_and_browsable(client):
    generate(courses=20)
    course = Course.objects.filter(slug__startswith="gen-", is_published=True).first()
    response = client.get("/trainingen/", {"q": course.title.split(" (")[0]})
    assert response.status_code == 200
    assert course.title in response.content.decode()
    assert client.get(course.get_absolute_url()).status_code == 200


def test_same_seed_gives_same_catalogue_and_clear_replaces_it():
    generate(courses=5, seed=7)
    first = list(Course.objects.order_by("slug").values_list("slug", "title"))
    generate(courses=5, seed=7, clear=True)
    second = list(Course.objects.order_by("slug").values_list("slug", "title"))
    assert first == second
    assert Session.objects.count() == 10


def test_generated_catalogue_has_no_free_place_while_people_wait():
    generate(enrolments_per_session=30)
    sessions = Session.objects.filter(course__slug__startswith="gen-").with_counts()
    waiting_with_free_places = sessions.filter(
        waitlisted_count__gt=0, registered_count__lt=F("capacity")
    )
    assert not waiting_with_free_places.exists()
    # The case the rule is about occurs: cancellations in sessions that have a waiting list.
    assert Enrolment.objects.filter(
        status=Enrolment.Status.CANCELLED, session__in=sessions.filter(waitlisted_count__gt=0)
    ).exists()
