"""The race for the last place, with real threads, each on its own database connection.

Runs on SQLite (IMMEDIATE transactions) and on PostgreSQL (SELECT … FOR UPDATE).
"""

import threading

import pytest
from django.db import connections

from enrolments.models import Enrolment
from enrolments.places import groups, services
from tests.factories import SessionFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

R, W, C = "registered", "waitlisted", "cancelled"


def run_at_once(tasks):
    """Start every task at the same moment in its own thread; return results and errors."""
    barrier = threading.Barrier(len(tasks))
    results = [None] * len(tasks)
    errors = []

    def worker(index, task):
        try:
            barrier.wait(timeout=30)
            results[index] = task()
        except Exception as error:  # collected and asserted on below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i, t)) for i, t in enumerate(tasks)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results, errors


def enrol_task(session_id, email):
    return lambda: services.enrolment_create(
        session_id=session_id,
        first_name="P",
        last_name=email,
        email=email,
        organisation=f"Bieb {email}",
    )


def test_fifty_simultaneous_enrolments_for_ten_places():
    session = SessionFactory(capacity=10)
    tasks = [enrol_task(session.pk, f"p{i}@example.org") for i in range(50)]
    results, errors = run_at_once(tasks)
    assert errors == []
    rows = list(Enrolment.objects.filter(session=session).order_by("created_at", "pk"))
    assert len(rows) == 50
    assert len({row.email for row in rows}) == 50
    assert [row.status for row in rows] == [R] * 10 + [W] * 40  # in arrival order
    # Every waiting-list position was handed out exactly once, and matches the database.
    positions = sorted(r.outcome.position for r in results if r.outcome.status == W)
    assert positions == list(range(1, 41))
    by_email = {r.enrolment.email: r.outcome for r in results}
    for row in Enrolment.objects.filter(session=session).with_waitlist_position():
        assert by_email[row.email].position == row.waitlist_position


def test_cancellations_racing_with_enrolments_promote_once_per_freed_place():
    session = SessionFactory(capacity=10)
    for i in range(20):  # 10 registered, 10 waiting
        enrol_task(session.pk, f"early{i}@example.org")()
    leaving = list(Enrolment.objects.filter(session=session, status=R).order_by("created_at")[:5])
    first_waiting = list(
        Enrolment.objects.filter(session=session).waitlist().values_list("pk", flat=True)[:5]
    )
    tasks = [
        (lambda pk=e.pk: services.enrolment_cancel(enrolment_id=pk, reason="race")) for e in leaving
    ] + [enrol_task(session.pk, f"late{i}@example.org") for i in range(20)]
    _results, errors = run_at_once(tasks)
    assert errors == []
    enrolments = Enrolment.objects.filter(session=session)
    assert enrolments.filter(status=R).count() == 10
    assert enrolments.filter(status=C).count() == 5
    promoted = set(enrolments.exclude(promoted_at=None).values_list("pk", flat=True))
    assert promoted == set(first_waiting)  # the five who were next in line, each once
    # A freed place goes to the waiting list at once, never to someone who just arrived.
    assert not enrolments.filter(email__startswith="late", status=R).exists()
    assert enrolments.filter(status=W).count() == 25


def test_simultaneous_double_submit_creates_one_enrolment():
    session = SessionFactory(capacity=10)
    results, errors = run_at_once([enrol_task(session.pk, "same@example.org")] * 8)
    assert errors == []
    assert Enrolment.objects.filter(session=session).count() == 1
    assert sum(1 for r in results if r.created) == 1


def group_task(session_id, organisation, count, prefix):
    """The sender's click on "confirm": the group form was sent (and stored) before the race."""
    group = groups.group_enrolment_create(
        session_id=session_id,
        organisation=organisation,
        people=[
            services.Person("G", f"{prefix}{i}", f"{prefix}{i}@example.org") for i in range(count)
        ],
        submitted_by_name="Teamleider",
        submitted_by_email=f"lead-{prefix}@example.org",
    )
    return lambda: groups.group_enrolment_confirm(group_id=group.pk)


def test_group_enrolments_racing_with_single_ones_never_overbook():
    session = SessionFactory(capacity=10, max_per_organisation=4)
    tasks = [
        # Six people of one organisation in two forms (a form holds at most the cap of four).
        group_task(session.pk, "Bibliotheek Groep", 3, "groupa"),
        group_task(session.pk, "Bibliotheek Groep", 3, "groupc"),
        group_task(session.pk, "Bibliotheek Twee", 3, "groupb"),
        *[enrol_task(session.pk, f"single{i}@example.org") for i in range(7)],
    ]
    _results, errors = run_at_once(tasks)
    assert errors == []
    rows = list(Enrolment.objects.filter(session=session).order_by("created_at", "pk"))
    assert len(rows) == 16
    registered = [row for row in rows if row.status == R]
    assert len(registered) == 10
    # The per-organisation cap held for the six of one organisation: at most four registered.
    assert sum(1 for row in registered if row.organisation == "Bibliotheek Groep") <= 4
    # Each group went in as one block, in the order of its rows.
    for prefix in ("groupa", "groupb", "groupc"):
        members = [row for row in rows if row.email.startswith(prefix)]
        assert [row.last_name for row in members] == [f"{prefix}{i}" for i in range(len(members))]
        positions = [rows.index(row) for row in members]
        assert positions == list(range(positions[0], positions[0] + len(members)))
    # Waiting-list positions are unique and gapless.
    waiting = Enrolment.objects.filter(session=session).with_waitlist_position()
    assert sorted(r.waitlist_position for r in waiting if r.status == W) == list(range(1, 7))
