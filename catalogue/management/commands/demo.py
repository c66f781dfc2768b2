"""Load the real catalogue and demo sessions, enrolments and accounts. Safe to run again."""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.contrib.auth.models import Group, User
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from enrolments.models import (
    Attendance,
    Enrolment,
    EnrolmentEvent,
    EnrolmentGroup,
    Interest,
    Organisation,
    SessionRequest,
    organisation_key,
)
from enrolments.settlement.costs import session_costs_settle
from trainings import search
from trainings.models import Course, Location, Price, Session, SessionDay

DEMO_ACCOUNTS = [
    # username, password, group, first name
    ("adviseur", "adviseur-demo", "POI-adviseurs", "Anouk"),
    ("coordinator", "coordinator-demo", "Coördinatoren", "Bram"),
]

LOCATIONS = {
    "utrecht": {
        "name": "Leerhuis Utrecht",
        "street_address": "Oudegracht 100",
        "postal_code": "3511 AV",
        "city": "Utrecht",
        "country": "NL",
    },
    "zwolle": {
        "name": "Bibliotheek Zwolle, leslokaal",
        "street_address": "Diezerstraat 50",
        "postal_code": "8011 RJ",
        "city": "Zwolle",
        "country": "NL",
    },
    "tilburg": {
        "name": "Bibliotheek Tilburg Centrum",
        "street_address": "Burgemeester Brokxlaan 1",
        "postal_code": "5041 SB",
        "city": "Tilburg",
        "country": "NL",
    },
    "amsterdam": {
        "name": "Leslokaal Cybersoek",
        "street_address": "Tweede Tuindwarsstraat 10",
        "postal_code": "1015 RZ",
        "city": "Amsterdam",
        "country": "NL",
    },
    "brussel": {
        "name": "Opleidingscentrum GSOB",
        "street_address": "Kunstberg 2",
        "postal_code": "1000",
        "city": "Brussel",
        "country": "BE",
    },
    "online": {"name": "Online (videoverbinding)", "is_online": True, "city": "", "country": "NL"},
}

FIRST_NAMES = [
    "Anna",
    "Daan",
    "Fatima",
    "Jeroen",
    "Lotte",
    "Mohamed",
    "Sanne",
    "Thomas",
    "Yara",
    "Bart",
    "Eline",
    "Hamza",
    "Ilse",
    "Kees",
    "Noor",
    "Pieter",
    "Rosa",
    "Sem",
    "Vera",
    "Wouter",
    "Zeynep",
    "Lars",
    "Mila",
    "Ruben",
]
LAST_NAMES = [
    "de Vries",
    "Jansen",
    "El Amrani",
    "Bakker",
    "Visser",
    "Smit",
    "Meijer",
    "de Boer",
    "Mulder",
    "Yilmaz",
    "Bos",
    "Vos",
    "Peters",
    "Hendriks",
    "Dekker",
    "van Dijk",
    "Brouwer",
    "de Groot",
    "Willems",
    "Claes",
    "Peeters",
    "Maes",
]
ORGANISATIONS = [
    "Bibliotheek De Waarden",
    "Bibliotheek Rijnstreek",
    "Bibliotheek Kempenland",
    "Bibliotheek Eemvallei",
    "Gemeente Zuidhaven",
    "Bibliotheek Noordkust",
]
BRUSSELS_ORGANISATIONS = [
    "Gemeente Sint-Gillis (demo)",
    "OCMW Jette (demo)",
    "Gemeente Evere (demo)",
]
# How advisers classified the demo organisations (type, country); one is left to classify.
ORGANISATION_TYPES = {
    "Bibliotheek De Waarden": ("library", "NL"),
    "Bibliotheek Rijnstreek": ("library", "NL"),
    "Bibliotheek Kempenland": ("library", "NL"),
    "Bibliotheek Eemvallei": ("library", "NL"),
    "Bibliotheek Noordkust": ("library", "NL"),
    "Gemeente Zuidhaven": ("municipality", "NL"),
    "Gemeente Sint-Gillis (demo)": ("municipality", "BE"),
    "OCMW Jette (demo)": ("ocmw", "BE"),
    "Gemeente Evere (demo)": ("municipality", "BE"),
    "vzw Buurtwerk Brussel (demo)": ("nonprofit", "BE"),
    "Bibliotheek Nieuwland (demo)": ("", ""),
}
# A course that is not in the public catalogue, to show a reduced price in the cost overview.
REDUCED_PRICE_COURSE = {
    "slug": "demo-gesprekken-aan-de-balie",
    "title": "Gesprekken aan de balie (demo: verlaagd tarief)",
    "summary": "Demotraining, niet in de catalogus: laat zien hoe een verlaagd tarief werkt.",
}


@dataclass
class DemoSession:
    code: str
    course: str
    location: str
    days: list[tuple[int, str, str]]  # (days from today, start, end)
    capacity: int
    min_participants: int = 0
    registered: int = 0
    waitlisted: int = 0
    deadline_days: int | None = None  # days from today; default: a week before day one
    status: str = Session.Status.SCHEDULED
    max_per_organisation: int | None = None
    reserved_for: str = ""
    organisations: list[str] = field(default_factory=lambda: ORGANISATIONS)
    trainer: str = ""
    cancellation_reason: str = ""
    invitation_code: str = ""


DEMO_SESSIONS = [
    DemoSession(
        "DEMO-01",
        "privacy-in-het-ido",
        "utrecht",
        [(21, "13:30", "17:00")],
        16,
        6,
        registered=7,
        trainer="Trainer van de POI",
    ),
    DemoSession(
        "DEMO-02",
        "ido-vaardigheidstraining",
        "zwolle",
        [(28, "09:30", "12:30")],
        16,
        8,
        registered=14,
        max_per_organisation=16,
        trainer="Trainingsacteur",
    ),
    DemoSession(
        "DEMO-03",
        "mentale-weerbaarheid-en-gespreksvaardigheden",
        "tilburg",
        [(35, "09:30", "16:00")],
        12,
        6,
        registered=12,
        waitlisted=3,
    ),
    DemoSession(
        "DEMO-04",
        "digitale-ongelijkheden-overheidsdiensten",
        "brussel",
        [(42, "09:00", "12:00")],
        20,
        8,
        registered=3,
        deadline_days=28,
        organisations=BRUSSELS_ORGANISATIONS,
        trainer="Deskundige van CABAN",
    ),
    DemoSession(
        "DEMO-05",
        "ido-vaardigheidstraining",
        "utrecht",
        [(49, "13:00", "16:00")],
        16,
        6,
        registered=5,
        reserved_for="Bibliotheek De Waarden",
        organisations=["Bibliotheek De Waarden"],
        max_per_organisation=16,
    ),
    DemoSession(
        "DEMO-06",
        "intervisie-en-borgingstechnieken",
        "online",
        [(18, "10:00", "12:00")],
        20,
        5,
        registered=9,
        status=Session.Status.CONFIRMED,
    ),
    DemoSession(
        "DEMO-07",
        "didactische-vaardigheden",
        "amsterdam",
        [(56, "09:30", "16:30"), (63, "09:30", "16:30")],
        14,
        8,
        registered=9,
        trainer="Cybersoek",
    ),
    DemoSession(
        "DEMO-08",
        "samenwerken-in-het-ido-netwerk",
        "utrecht",
        [(70, "13:00", "16:30")],
        24,
        10,
        registered=2,
    ),
    DemoSession(
        "DEMO-09",
        "privacy-in-het-ido",
        "zwolle",
        [(5, "09:30", "12:30")],
        16,
        6,
        registered=10,
        deadline_days=-1,
        status=Session.Status.CONFIRMED,
    ),
    DemoSession(
        "DEMO-10",
        "mentale-weerbaarheid-en-gespreksvaardigheden",
        "utrecht",
        [(12, "09:30", "16:00")],
        12,
        6,
        registered=0,
        deadline_days=-2,
        status=Session.Status.CANCELLED,
    ),
    DemoSession(
        "DEMO-11",
        "privacy-in-het-ido",
        "tilburg",
        [(-30, "13:30", "17:00")],
        16,
        6,
        registered=11,
        deadline_days=-37,
        status=Session.Status.CONFIRMED,
    ),
    # Took place ten days ago; each person shows another cost outcome (see COST_STORIES).
    DemoSession(
        "DEMO-13",
        "digitale-ongelijkheden-overheidsdiensten",
        "brussel",
        [(-10, "09:00", "12:00")],
        20,
        4,
        registered=8,
        deadline_days=-24,
        status=Session.Status.CONFIRMED,
        organisations=[
            "Gemeente Sint-Gillis (demo)",
            "OCMW Jette (demo)",
            "Gemeente Evere (demo)",
            "vzw Buurtwerk Brussel (demo)",
            "Gemeente Sint-Gillis (demo)",
            "OCMW Jette (demo)",
            "Gemeente Evere (demo)",
            "Bibliotheek Nieuwland (demo)",
        ],
        trainer="Deskundige van CABAN",
    ),
    DemoSession(
        "DEMO-14",
        REDUCED_PRICE_COURSE["slug"],
        "utrecht",
        [(-21, "09:30", "16:00"), (-14, "09:30", "16:00")],
        12,
        0,
        registered=4,
        deadline_days=-28,
        status=Session.Status.CONFIRMED,
        organisations=[
            "Bibliotheek De Waarden",
            "Bibliotheek Rijnstreek",
            "Bibliotheek Kempenland",
            "Gemeente Zuidhaven",
        ],
    ),
    # Below the minimum with the deadline days away: "in gevaar" on the workplace.
    DemoSession(
        "DEMO-12",
        "persoonlijke-en-organisatievraagstukken",
        "zwolle",
        [(9, "13:00", "16:30")],
        16,
        8,
        registered=3,
        deadline_days=3,
    ),
]

DEMO_INTEREST = [
    # course, e-mail, organisation, city
    (
        "ido-en-jongeren",
        "jeugd.ido@bibliotheek-noordkust.example.org",
        "Bibliotheek Noordkust",
        "Den Helder",
    ),
    (
        "ido-en-jongeren",
        "projectleider@bibliotheek-eemvallei.example.org",
        "Bibliotheek Eemvallei",
        "Amersfoort",
    ),
    ("ido-en-jongeren", "ido@gemeente-zuidhaven.example.org", "Gemeente Zuidhaven", "Amersfoort"),
    (
        "omgaan-met-lvb-en-psychisch-kwetsbaren",
        "frontoffice@bibliotheek-rijnstreek.example.org",
        "Bibliotheek Rijnstreek",
        "Leiden",
    ),
]


# Per past session and person (by order of enrolment): attendance per day and what else
# happened. "P" present, "A" absent, "E" excused (in time); "late"/"in time" cancellations.
COST_STORIES = {
    "DEMO-11": ["P", "P", "A", "P", "P", "E", "P", "P", "P", "P", "P"],
    "DEMO-13": ["P", "A", "E", "P", "late", "in time", "P", "P"],
    "DEMO-14": ["PP", "PA", "PE", "PP"],
}


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


class Command(BaseCommand):
    help = "Laadt de catalogus, demosessies met inschrijvingen en demo-accounts (herhaalbaar)."

    def handle(self, *args, **options):
        call_command("loaddata", "catalogue", verbosity=0)
        with transaction.atomic():
            self.reduced_price_course()
            locations = {key: self.location(values) for key, values in LOCATIONS.items()}
            today = timezone.localdate()
            sessions = {
                demo.code: self.session(demo, locations[demo.location], today)
                for demo in DEMO_SESSIONS
            }
            self.organisations()
            for code, story in COST_STORIES.items():
                self.attendance_and_costs(sessions[code], story)
            self.group_and_substitution(sessions)
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
        self.enrolments(session, demo, first_start)
        return session

    def enrolments(self, session: Session, demo: DemoSession, first_start: datetime.datetime):
        people = [(Enrolment.Status.REGISTERED, i) for i in range(demo.registered)] + [
            (Enrolment.Status.WAITLISTED, demo.registered + i) for i in range(demo.waitlisted)
        ]
        seed = sum(ord(char) for char in demo.code)
        for status, index in people:
            first = FIRST_NAMES[(seed + index) % len(FIRST_NAMES)]
            last = LAST_NAMES[(seed * 3 + index * 7) % len(LAST_NAMES)]
            organisation = demo.organisations[index % len(demo.organisations)]
            email = f"{first}.{last}.{index}".lower().replace(" ", "") + "@demo.example.org"
            # Enrolled in the past, some weeks before the session, a few hours apart.
            start_day = min(first_start.date(), timezone.localdate())
            created = datetime.datetime.combine(
                start_day - datetime.timedelta(days=45), datetime.time(8), tzinfo=first_start.tzinfo
            ) + datetime.timedelta(hours=7 * index)
            Enrolment.objects.get_or_create(
                session=session,
                email=email,
                defaults={
                    "first_name": first,
                    "last_name": last,
                    "organisation": organisation,
                    "organisation_key": organisation_key(organisation),
                    "job_title": "IDO-medewerker" if index % 3 else "Coördinator",
                    "status": status,
                    "created_at": created,
                    "privacy_accepted_at": created,
                },
            )

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
                before = 3 if plot == "late" else 40
                moment = datetime.datetime.combine(
                    days[0].date - datetime.timedelta(days=before), datetime.time(10), tzinfo=tz
                )
                upsert(
                    Enrolment,
                    {"pk": enrolment.pk},
                    {
                        "status": Enrolment.Status.CANCELLED,
                        "cancelled_at": moment,
                        "cancelled_late": plot == "late",
                        "cancellation_reason": "Kan toch niet (demo)",
                    },
                )
                continue
            for day, mark in zip(days, plot, strict=False):
                status = {"P": "present", "A": "absent", "E": "excused"}[mark]
                # An excuse registered two days after the day, within the window.
                later = 2 if mark == "E" else 0
                upsert(
                    Attendance,
                    {"enrolment": enrolment, "day": day},
                    {
                        "status": status,
                        "marked_at": datetime.datetime.combine(
                            day.date + datetime.timedelta(days=later),
                            day.end_time,
                            tzinfo=tz,
                        ),
                    },
                )
        session_costs_settle(session_id=session.pk)

    def group_and_substitution(self, sessions: dict[str, Session]):
        """Three colleagues of one library enrolled together, and a place handed over."""
        session = sessions["DEMO-02"]
        organisation = "Bibliotheek Rijnstreek"
        colleagues = list(
            Enrolment.objects.filter(session=session, organisation=organisation).order_by(
                "created_at", "pk"
            )[:3]
        )
        if colleagues:
            group, _ = EnrolmentGroup.objects.get_or_create(
                session=session,
                organisation=organisation,
                submitted_by_email="teamleider@bibliotheek-rijnstreek.example.org",
                defaults={
                    "submitted_by_name": "Teamleider Rijnstreek",
                    "created_at": colleagues[0].created_at,
                    "confirmed_at": colleagues[0].created_at,
                    "size": len(colleagues),
                },
            )
            Enrolment.objects.filter(pk__in=[c.pk for c in colleagues]).update(group=group)
        handed_over = (
            Enrolment.objects.filter(session=sessions["DEMO-01"])
            .order_by("created_at", "pk")
            .first()
        )
        if handed_over and not handed_over.events.filter(kind="substituted").exists():
            EnrolmentEvent.objects.create(
                enrolment=handed_over,
                kind=EnrolmentEvent.Kind.SUBSTITUTED,
                from_status=handed_over.status,
                to_status=handed_over.status,
                at=handed_over.created_at + datetime.timedelta(days=3),
                note=(
                    f"Collega van {handed_over.organisation} (demo) vervangen door "
                    f"{handed_over.full_name} ({handed_over.email})"
                ),
            )

    def interest_and_requests(self):
        moment = datetime.datetime.combine(
            timezone.localdate() - datetime.timedelta(days=20),
            datetime.time(10),
            tzinfo=timezone.get_current_timezone(),
        )
        for slug, email, organisation, city in DEMO_INTEREST:
            Interest.objects.get_or_create(
                course=Course.objects.get(slug=slug),
                email=email,
                defaults={
                    "organisation": organisation,
                    "city": city,
                    "consent_at": moment,
                    "created_at": moment,
                },
            )
        SessionRequest.objects.get_or_create(
            course=Course.objects.get(slug="digitale-ongelijkheden-overheidsdiensten"),
            email="opleidingen@ocmw-jette.example.org",
            defaults={
                "organisation": "OCMW Jette (demo)",
                "contact_name": "Els Maes",
                "participants": 18,
                "preferred_period": "voorjaar, liefst op dinsdag",
                "message": "Voor de medewerkers van het onthaal en de sociale dienst.",
                "created_at": moment,
            },
        )

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
