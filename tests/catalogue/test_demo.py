import io

import pytest
from django.apps import apps
from django.contrib.auth.models import User
from django.core import serializers
from django.core.management import call_command

from enrolments.models import (
    Enrolment,
    EnrolmentEvent,
    EnrolmentGroup,
    Organisation,
    QueuedEmail,
)
from trainings.models import Session

pytestmark = pytest.mark.django_db


def snapshot() -> str:
    """Every row of every project model and every user, serialised."""
    objects = []
    for label in ("trainings", "enrolments"):
        for model in apps.get_app_config(label).get_models():
            objects.extend(model.objects.order_by("pk"))
    objects.extend(User.objects.order_by("pk"))
    return serializers.serialize("json", objects)


def test_demo_loads_catalogue_sessions_and_accounts():
    call_command("demo", stdout=io.StringIO())
    assert Session.objects.filter(code__startswith="DEMO-").count() == 14
    full = Session.objects.with_counts().get(code="DEMO-03")
    assert full.is_full and full.waitlisted_count == 3
    below = Session.objects.with_counts().get(code="DEMO-04")
    assert below.needs_more_registrations > 0
    assert Session.objects.get(code="DEMO-05").reserved_for
    assert Session.objects.get(code="DEMO-06").location.is_online
    assert Session.objects.get(code="DEMO-07").days.count() == 2
    adviser = User.objects.get(username="adviseur")
    assert adviser.is_staff and adviser.groups.filter(name="POI-adviseurs").exists()
    assert User.objects.get(username="coordinator").groups.filter(name="Coördinatoren").exists()


def test_demo_shows_every_cost_outcome_group_and_substitution():
    call_command("demo", stdout=io.StringIO())
    outcomes = set(Enrolment.objects.values_list("cost_outcome", "cost_reason"))
    for outcome, reason in [
        ("free", "condition_met"),
        ("free", "justified_absence"),
        ("free", "cancelled_in_time"),
        ("free", "no_participant_price"),
        ("reduced", "condition_met"),
        ("charged", "below_minimum"),
        ("charged", "not_eligible"),
        ("charged", "late_cancellation"),
        ("pending", "unclassified"),
    ]:
        assert (outcome, reason) in outcomes
    assert EnrolmentGroup.objects.filter(enrolments__isnull=False).exists()
    assert EnrolmentEvent.objects.filter(kind=EnrolmentEvent.Kind.SUBSTITUTED).exists()
    assert Organisation.objects.filter(type="").exists()  # one left for an adviser to classify


def test_demo_never_overbooks():
    call_command("demo", stdout=io.StringIO())
    for session in Session.objects.with_counts():
        assert session.registered_count <= session.capacity


def test_demo_twice_changes_nothing():
    call_command("demo", stdout=io.StringIO())
    first = snapshot()
    enrolments = Enrolment.objects.count()
    call_command("demo", stdout=io.StringIO())
    assert Enrolment.objects.count() == enrolments
    assert snapshot() == first


def test_demo_places_people_as_the_services_do():
    call_command("demo", stdout=io.StringIO())
    for session in Session.objects.with_counts():
        assert not (session.registered_count < session.capacity and session.waitlisted_count)
    created = EnrolmentEvent.objects.filter(kind=EnrolmentEvent.Kind.CREATED)
    assert not Enrolment.objects.exclude(events__in=created).exists()
    # The history is the demo's story, not the moment the command ran.
    for event in created.select_related("enrolment"):
        assert event.at == event.enrolment.created_at


def test_demo_mails_are_stored_but_never_sent(django_capture_on_commit_callbacks, mailoutbox):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        call_command("demo", stdout=io.StringIO())
    assert callbacks  # the services asked for delivery after commit
    assert QueuedEmail.objects.filter(kind="registered").exists()
    assert QueuedEmail.objects.filter(kind="request_received").exists()
    assert not QueuedEmail.objects.exclude(status=QueuedEmail.Status.SENT).exists()
    assert not QueuedEmail.objects.filter(attempts__gt=0).exists()
    assert mailoutbox == []
