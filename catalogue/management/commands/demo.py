"""Load the real catalogue and demo sessions, enrolments and accounts. Safe to run again.

People take and free places through the services (enrolments/places/), so the demo only
shows states the product can produce: the placement decides who is registered and who waits,
every enrolment has its history and every change its mail. The mails never leave: they are
marked as sent before the delivery after commit looks (see `backdated`). The data itself is
in catalogue/management/demo_data.py.
"""

import contextlib
import datetime
from dataclasses import dataclass
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth.models import Group, User
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction
from django.db.models import Max
from django.utils import timezone, translation

from catalogue.management.demo_data import (
    COST_STORIES,
    DEMO_ACCOUNTS,
    DEMO_INTEREST,
    DEMO_SESSIONS,
    FIRST_NAMES,
    GROUP_ORGANISATION,
    GROUP_SENDER,
    GROUP_SESSION,
    GROUP_SIZE,
    HANDOVER_AFTER_DAYS,
    HANDOVER_SESSION,
    LAST_NAMES,
    LOCATIONS,
    ORGANISATION_TYPES,
    REDUCED_PRICE_COURSE,
    DemoSession,
)
from enrolments.mail.render import render_into
from enrolments.models import (
    Attendance,
    Enrolment,
    EnrolmentEvent,
    EnrolmentGroup,
    Interest,
    Organisation,
    QueuedEmail,
    SessionRequest,
    organisation_key,
)
from enrolments.places.groups import group_enrolment_confirm, group_enrolment_create
from enrolments.places.interest import interest_register, session_request_create
from enrolments.places.services import (
    Person,
    enrolment_cancel,
    enrolment_create,
)
from enrolments.places.substitution import enrolment_substitute
from enrolments.settlement.attendance import attendance_mark
from enrolments.settlement.costs import session_costs_settle
from trainings import search
from trainings.models import Course, Location, Price, Session, SessionDay


@dataclass(frozen=True)
class DemoPerson:
    index: int
    person: Person
    organisation: str
    created: datetime.datetime


@contextlib.contextmanager
def backdated(moment: datetime.datetime):
    """Run services as if at `moment`: the audit lines and mails they write are stamped with
    the real time (record() and queue_email() take no `now`), so afterwards only those dated
    fields are set to the moment of the story. The mails are marked as sent at that moment in
    the same transaction, so the delivery after commit finds nothing to send (it only takes
    pending and failed ones) and the outbox shows the history, rendered, a live site would have; the
    label for suppressed mails would say "repeated enrolment", which these are not."""
    events = EnrolmentEvent.objects.aggregate(last=Max("pk"))["last"] or 0
    mails = QueuedEmail.objects.aggregate(last=Max("pk"))["last"] or 0
    yield
    EnrolmentEvent.objects.filter(pk__gt=events).update(at=moment)
    story = QueuedEmail.objects.filter(pk__gt=mails)
    story.update(created_at=moment, status=QueuedEmail.Status.SENT, sent_at=moment)
    for message in story:  # the outbox shows what was "sent", as the worker would render it
        render_into(message)


def upsert(model, lookup: dict, values: dict):
    """Create the row, or update it only where a value differs, so a rerun writes nothing."""
    obj = model.objects.filter(**lookup).first()
    if obj is None:
        return model.objects.create(**lookup, **values)
    changed = [name for name, value in values.items() if getattr(obj, name) != value]
    if changed:
        for name in changed:
            setattr(obj, name, values[name])
        obj.save()
    return obj


def parse_time(value: str) -> datetime.time:
    hours, minutes = value.split(":")
    return datetime.time(int(hours), int(minutes))


def demo_people(demo: DemoSession, first_start: datetime.datetime) -> list[DemoPerson]:
    """The people of a demo session in the order they enrolled: some weeks before the
    session, a few hours apart."""
    seed = sum(ord(char) for char in demo.code)
    start_day = min(first_start.date(), timezone.localdate())
    people = []
    for index in range(demo.registered + demo.waitlisted):
        first = FIRST_NAMES[(seed + index) % len(FIRST_NAMES)]
        last = LAST_NAMES[(seed * 3 + index * 7) % len(LAST_NAMES)]
        email = f"{first}.{last}.{index}".lower().replace(" ", "") + "@demo.example.org"
        job_title = "IDO-medewerker" if index % 3 else "Coördinator"
        created = datetime.datetime.combine(
            start_day - datetime.timedelta(days=45), datetime.time(8), tzinfo=first_start.tzinfo
        ) + datetime.timedelta(hours=7 * index)
        people.append(
            DemoPerson(
                index,
                Person(first, last, email, job_title),
                demo.organisations[index % len(demo.organisations)],
                created,
            )
        )
    return people


class Command(BaseCommand):
    help = "Laadt de catalogus, demosessies met inschrijvingen en demo-accounts (herhaalbaar)."

    def handle(self, *args, **options):
        # The fixture's texts without a language column are Dutch (modeltranslation would
        # store them in the active language's column).
        with translation.override(settings.LANGUAGE_CODE):
            call_command("loaddata", "catalogue", verbosity=0)
        with transaction.atomic():
            self.reduced_price_course()
            locations = {key: self.location(values) for key, values in LOCATIONS.items()}
            today = timezone.localdate()
            for demo in DEMO_SESSIONS:
                self.session(demo, locations[demo.location], today)
            self.organisations()
            for code, story in COST_STORIES.items():
                self.attendance_and_costs(Session.objects.get(code=code), story)
            accounts = [self.account(*account) for account in DEMO_ACCOUNTS]
            self.interest_and_requests()
        # After the demo course, so a second run finds nothing to change; also tells the page
        # cache that the offer changed (the writes above bypass model signals).
        search.refresh()
        courses = Course.objects.published().count()
        self.stdout.write(
            f"Catalogus geladen: {courses} trainingen; {len(DEMO_SESSIONS)} demosessies."
        )
        self.stdout.write("Werkplek voor adviseurs: /admin/werkplek/")
        for username, password in accounts:
            self.stdout.write(f"Demo-account: {username} / {password}")

    def location(self, values: dict) -> Location:
        location, _ = Location.objects.get_or_create(
            name=values["name"], city=values["city"], defaults=values
        )
        return location

    def session(self, demo: DemoSession, location: Location, today: datetime.date) -> Session:
        course = Course.objects.get(slug=demo.course)
        tz = ZoneInfo(Location.TIMEZONES[location.country])
        days = [
            (today + datetime.timedelta(days=offset), parse_time(start), parse_time(end))
            for offset, start, end in demo.days
        ]
        first_start = datetime.datetime.combine(days[0][0], days[0][1], tzinfo=tz)
        if demo.deadline_days is None:
            deadline = Session.default_closes_at(first_start)
        else:
            deadline = datetime.datetime.combine(
                today + datetime.timedelta(days=demo.deadline_days),
                datetime.time(23, 59),
                tzinfo=tz,
            )
        session = upsert(
            Session,
            {"code": demo.code},
            {
                "course": course,
                "location": location,
                "capacity": demo.capacity,
                "min_participants": demo.min_participants,
                "max_per_organisation": demo.max_per_organisation,
                "registration_deadline": deadline,
                "status": demo.status,
                "reserved_for": demo.reserved_for,
                "trainer": demo.trainer,
                "online_url": "https://meet.example.org/demo" if location.is_online else "",
            },
        )
        wanted = {date for date, _start, _end in days}
        for day in session.days.exclude(date__in=wanted):
            day.delete()  # one by one, so that the session's span follows
        for date, start, end in days:
            upsert(
                SessionDay,
                {"session": session, "date": date},
                {"start_time": start, "end_time": end},
            )
        self.enrolments(session, demo_people(demo, first_start))
        return session

    def enrolments(self, session: Session, people: list[DemoPerson]):
        """Enrol the people one after another, as the website would have at the time; the
        placement decides who gets a place and who waits. Who is there already is left
        alone, so a second run changes nothing."""
        enrolled = set(Enrolment.objects.filter(session=session).values_list("email", flat=True))
        group = []
        if session.code == GROUP_SESSION:
            group = [p for p in people if p.organisation == GROUP_ORGANISATION][:GROUP_SIZE]
        for demo_person in people:
            if demo_person.person.email in enrolled or demo_person in group:
                continue
            if session.code == HANDOVER_SESSION and demo_person.index == 0:
                self.handover(session, demo_person)
                continue
            with backdated(demo_person.created):
                self.enrol(session, demo_person.person, demo_person)
        if group and not any(p.person.email in enrolled for p in group):
            self.group(session, group)

    def enrol(self, session: Session, person: Person, demo_person: DemoPerson) -> Enrolment:
        return enrolment_create(
            session_id=session.pk,
            first_name=person.first_name,
            last_name=person.last_name,
            email=person.email,
            organisation=demo_person.organisation,
            job_title=person.job_title,
            invitation_code=session.invitation_code,
            now=demo_person.created,
        ).enrolment

    def handover(self, session: Session, demo_person: DemoPerson):
        """A colleague enrolled, and handed the place to this person three days later."""
        colleague = Person(
            "Collega",
            f"van {demo_person.organisation} (demo)",
            f"collega.{session.code}@demo.example.org".lower(),
            demo_person.person.job_title,
        )
        with backdated(demo_person.created):
            enrolment = self.enrol(session, colleague, demo_person)
        with backdated(demo_person.created + datetime.timedelta(days=HANDOVER_AFTER_DAYS)):
            enrolment_substitute(enrolment_id=enrolment.pk, person=demo_person.person)

    def group(self, session: Session, people: list[DemoPerson]):
        """Colleagues enrolled together: the sender filled in the group form and confirmed
        it. The group services take no `now` and check that the session is still open, so
        they run now; the moments of the story are set afterwards (dated fields only)."""
        name, email = GROUP_SENDER
        moment = people[0].created
        with backdated(moment):
            group = group_enrolment_create(
                session_id=session.pk,
                organisation=GROUP_ORGANISATION,
                people=[p.person for p in people],
                submitted_by_name=name,
                submitted_by_email=email,
                invitation_code=session.invitation_code,
            )
            group_enrolment_confirm(group_id=group.pk)
        EnrolmentGroup.objects.filter(pk=group.pk).update(created_at=moment, confirmed_at=moment)
        for demo_person in people:
            Enrolment.objects.filter(
                session=session, email=demo_person.person.email, group=group
            ).update(created_at=demo_person.created, privacy_accepted_at=demo_person.created)
            EnrolmentEvent.objects.filter(
                enrolment__group=group, enrolment__email=demo_person.person.email
            ).update(at=demo_person.created)

    def reduced_price_course(self):
        course = upsert(
            Course,
            {"slug": REDUCED_PRICE_COURSE["slug"]},
            {
                "title": REDUCED_PRICE_COURSE["title"],
                "summary": REDUCED_PRICE_COURSE["summary"],
                "is_published": False,
                "duration": "2 lesdagen",
                "default_capacity": 12,
            },
        )
        upsert(
            Price,
            {"course": course, "kind": Price.Kind.PER_PARTICIPANT},
            {"amount": Decimal("95.00"), "position": 1},
        )
        upsert(
            Price,
            {"course": course, "kind": Price.Kind.FREE_UNDER_CONDITION},
            {
                "amount": Decimal("45.00"),
                "condition": (
                    "Verlaagd tarief voor medewerkers van Nederlandse bibliotheken die "
                    "minstens driekwart van de lesdagen aanwezig zijn."
                ),
                "eligible_types": ["library"],
                "eligible_country": "NL",
                "min_attendance": 75,
                "justification_days": 15,
                "position": 2,
            },
        )

    def organisations(self):
        for name, (kind, country) in ORGANISATION_TYPES.items():
            upsert(
                Organisation,
                {"key": organisation_key(name)},
                {"name": name, "type": kind, "country": country},
            )

    def attendance_and_costs(self, session: Session, story: list[str]):
        """Attendance, cancellations and the resulting costs of a session in the past."""
        days = list(session.days.all())
        tz = session.location.tzinfo
        enrolments = list(Enrolment.objects.filter(session=session).order_by("created_at", "pk"))
        for enrolment, plot in zip(enrolments, story, strict=False):
            if plot in ("late", "in time"):
                if enrolment.is_cancelled:
                    continue
                before = 3 if plot == "late" else 40
                moment = datetime.datetime.combine(
                    days[0].date - datetime.timedelta(days=before), datetime.time(10), tzinfo=tz
                )
                # The service decides from the course's terms whether this is late.
                with backdated(moment):
                    enrolment_cancel(
                        enrolment_id=enrolment.pk, reason="Kan toch niet (demo)", now=moment
                    )
                continue
            marked = set(
                Attendance.objects.filter(enrolment=enrolment).values_list("day_id", flat=True)
            )
            for day, mark in zip(days, plot, strict=False):
                if day.pk in marked:
                    continue
                status = {"P": "present", "A": "absent", "E": "excused"}[mark]
                # An excuse registered two days after the day, within the window.
                later = 2 if mark == "E" else 0
                moment = datetime.datetime.combine(
                    day.date + datetime.timedelta(days=later), day.end_time, tzinfo=tz
                )
                # attendance_mark takes no `now`: the moment is set afterwards.
                with backdated(moment):
                    attendance = attendance_mark(
                        enrolment_id=enrolment.pk, day_id=day.pk, status=status, settle=False
                    )
                Attendance.objects.filter(pk=attendance.pk).update(marked_at=moment)
        session_costs_settle(session_id=session.pk)

    def interest_and_requests(self):
        moment = datetime.datetime.combine(
            timezone.localdate() - datetime.timedelta(days=20),
            datetime.time(10),
            tzinfo=timezone.get_current_timezone(),
        )
        # The services take no `now`: the moments are set afterwards (dated fields only).
        for slug, email, organisation, city in DEMO_INTEREST:
            course = Course.objects.get(slug=slug)
            if Interest.objects.filter(course=course, email=email).exists():
                continue
            with backdated(moment):
                interest_register(course=course, email=email, organisation=organisation, city=city)
            Interest.objects.filter(course=course, email=email).update(
                consent_at=moment, created_at=moment
            )
        course = Course.objects.get(slug="digitale-ongelijkheden-overheidsdiensten")
        email = "opleidingen@ocmw-jette.example.org"
        if not SessionRequest.objects.filter(course=course, email=email).exists():
            with backdated(moment):
                request = session_request_create(
                    course=course,
                    organisation="OCMW Jette (demo)",
                    contact_name="Els Maes",
                    email=email,
                    participants=18,
                    preferred_period="voorjaar, liefst op dinsdag",
                    message="Voor de medewerkers van het onthaal en de sociale dienst.",
                )
            SessionRequest.objects.filter(pk=request.pk).update(created_at=moment)

    def account(self, username: str, password: str, group: str, first_name: str):
        user, created = User.objects.get_or_create(
            username=username,
            defaults={
                "first_name": first_name,
                "email": f"{username}@demo.example.org",
                "is_staff": True,
            },
        )
        if created or not user.check_password(password):
            user.set_password(password)
            user.save()
        user.groups.add(Group.objects.get(name=group))
        return username, password
