"""Fill a database with a large, realistic synthetic catalogue, for benchmarks.

    manage.py generate_catalogue --courses 10000 --sessions-per-course 5 --enrolments-per-session 10

Everything is inserted in bulk. Generated courses have slugs starting with "gen-"; --clear
removes them (with their sessions and enrolments) first. The same --seed gives the same data.
"""

from __future__ import annotations

import datetime
import random
import time
from decimal import Decimal

from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.utils import timezone

from catalogue.management.demo_data import FIRST_NAMES, LAST_NAMES
from enrolments.models import Enrolment, organisation_key
from trainings import search
from trainings.models import (
    Audience,
    Course,
    Format,
    Level,
    Location,
    Price,
    Provider,
    Session,
    SessionDay,
    Theme,
)

TOPICS = [
    "Privacy",
    "Mediawijsheid",
    "Digitale vaardigheden",
    "Informatievaardigheden",
    "Leesbevordering",
    "Gespreksvaardigheden",
    "Omgaan met agressie",
    "Data en AI",
    "Nepnieuws herkennen",
    "Klantcontact",
    "Digitale overheid",
    "Taalhuis",
    "Voorlezen",
    "Programmeren met kinderen",
    "Wetgeving en AVG",
    "Projectmatig werken",
    "Intervisie",
    "Samenwerken met partners",
    "Laaggeletterdheid",
    "Collectiebeleid",
    "Makerspace",
    "Subsidies aanvragen",
    "Impact meten",
    "Vrijwilligersbeleid",
    "Toegankelijkheid",
    "Social media",
    "Cybersecurity",
    "Financiële zelfredzaamheid",
    "Inburgering",
    "Democratie en burgerschap",
]
SUFFIXES = [
    "voor beginners",
    "in de praktijk",
    "verdieping",
    "voor IDO-medewerkers",
    "basiscursus",
    "voor coördinatoren",
    "masterclass",
    "voor frontoffice",
    "intervisiebijeenkomst",
    "voor leidinggevenden",
    "workshop",
    "leergang",
]
WORDS = [
    "bibliotheek",
    "medewerkers",
    "oefenen",
    "praktijk",
    "casussen",
    "samen",
    "leren",
    "vaardigheden",
    "klanten",
    "gesprek",
    "burgers",
    "informatie",
    "zoeken",
    "doorverwijzen",
    "partners",
    "netwerk",
    "gemeente",
    "beleid",
    "aanpak",
    "werkvormen",
    "rollenspel",
    "trainer",
    "ervaring",
    "inzicht",
    "handvatten",
    "vragen",
    "situaties",
    "groep",
    "reflectie",
    "toepassen",
    "lokaal",
    "team",
    "organisatie",
    "kennis",
    "aanvragen",
]
CITIES = [
    ("Amsterdam", "NL"),
    ("Rotterdam", "NL"),
    ("Den Haag", "NL"),
    ("Utrecht", "NL"),
    ("Eindhoven", "NL"),
    ("Groningen", "NL"),
    ("Tilburg", "NL"),
    ("Almere", "NL"),
    ("Breda", "NL"),
    ("Nijmegen", "NL"),
    ("Apeldoorn", "NL"),
    ("Haarlem", "NL"),
    ("Arnhem", "NL"),
    ("Zwolle", "NL"),
    ("Leiden", "NL"),
    ("Maastricht", "NL"),
    ("Dordrecht", "NL"),
    ("Zoetermeer", "NL"),
    ("Leeuwarden", "NL"),
    ("Den Bosch", "NL"),
    ("Amersfoort", "NL"),
    ("Enschede", "NL"),
    ("Delft", "NL"),
    ("Alkmaar", "NL"),
    ("Brussel", "BE"),
    ("Antwerpen", "BE"),
    ("Gent", "BE"),
    ("Leuven", "BE"),
    ("Mechelen", "BE"),
    ("Brugge", "BE"),
    ("Hasselt", "BE"),
    ("Anderlecht", "BE"),
]
# Words that only the descriptions of courses on one topic use, so that a search is as
# selective as in a real catalogue (general words above occur everywhere).
TOPIC_WORDS = {
    "Privacy": ["privacy", "persoonsgegevens", "toestemming"],
    "Wetgeving en AVG": ["wetgeving", "privacy", "verwerkingsregister"],
    "Cybersecurity": ["veiligheid", "wachtwoorden", "phishing"],
    "Digitale overheid": ["digitale", "overheid", "formulieren", "DigiD"],
    "Financiële zelfredzaamheid": ["toeslagen", "belasting", "schulden"],
    "Nepnieuws herkennen": ["betrouwbare", "bronnen", "desinformatie"],
    "Social media": ["apps", "influencers", "algoritmes"],
}
BATCH = 5000


class Command(BaseCommand):
    help = "Vult de database met een grote, realistische synthetische catalogus (voor metingen)."

    def add_arguments(self, parser):
        parser.add_argument("--courses", type=int, default=1000)
        parser.add_argument("--sessions-per-course", type=int, default=5)
        parser.add_argument("--enrolments-per-session", type=int, default=10)
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument(
            "--clear", action="store_true", help="Verwijder eerder gegenereerde trainingen eerst."
        )

    def handle(
        self, *args, courses, sessions_per_course, enrolments_per_session, seed, clear, **options
    ):
        started = time.monotonic()
        rng = random.Random(seed)
        if clear:
            self.clear()
        with transaction.atomic():
            catalogue = self.reference_data(rng)
            course_ids = self.courses(rng, courses, catalogue)
            session_ids = self.sessions(rng, course_ids, sessions_per_course, catalogue)
            count = self.enrolments(rng, session_ids, enrolments_per_session)
        search.refresh(course_ids)  # also tells the page cache that the offer changed
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                # Fresh statistics, and a visibility map so index-only scans work at once (what
                # autovacuum would do a little later after a bulk load). VACUUM cannot run in
                # a transaction (as in the tests); ANALYZE alone can.
                in_transaction = connection.in_atomic_block
                cursor.execute("ANALYZE" if in_transaction else "VACUUM ANALYZE")
        self.stdout.write(
            f"Aangemaakt: {len(course_ids)} trainingen, {len(session_ids)} sessies, "
            f"{count} inschrijvingen in {time.monotonic() - started:.0f} s."
        )

    def clear(self):
        generated = Course.objects.filter(slug__startswith="gen-")
        Enrolment.objects.filter(session__course__in=generated).delete()
        Session.objects.filter(course__in=generated).delete()
        generated.delete()

    def reference_data(self, rng):
        formats = list(Format.objects.all()) or Format.objects.bulk_create(
            Format(name=name, slug=name.lower().replace(" ", "-"), position=i)
            for i, name in enumerate(
                [
                    "Klassikaal",
                    "E-learning",
                    "Online live",
                    "Blended",
                    "In-company",
                    "Micro-learning",
                ]
            )
        )
        themes = list(Theme.objects.all())
        for name in [
            "Lezen en taal",
            "Informatievaardigheden",
            "Jeugd en onderwijs",
            "Bestuur en organisatie",
            "Digitaal burgerschap",
        ]:
            if not any(t.name == name for t in themes):
                themes.append(Theme.objects.create(name=name, slug=f"gen-{len(themes)}"))
        audiences = list(Audience.objects.all())
        while len(audiences) < 30:
            n = len(audiences)
            audiences.append(Audience.objects.create(name=f"Doelgroep {n}", slug=f"gen-{n}"))
        providers = list(Provider.objects.filter(slug__startswith="gen-"))
        kinds = ["Academie", "Bibliotheek", "Stichting", "Instituut", "Opleidingen"]
        while len(providers) < 200:
            n = len(providers)
            city = CITIES[n % len(CITIES)][0]
            providers.append(Provider(name=f"{kinds[n % len(kinds)]} {city} {n}", slug=f"gen-{n}"))
        providers = [p for p in providers if p.pk] + Provider.objects.bulk_create(
            [p for p in providers if not p.pk]
        )
        locations = list(Location.objects.filter(name__startswith="Gen "))
        if not locations:
            locations = Location.objects.bulk_create(
                [
                    Location(
                        name=f"Gen zaal {city}",
                        street_address="Plein 1",
                        postal_code="1000",
                        city=city,
                        country=country,
                    )
                    for city, country in CITIES
                ]
                + [Location(name="Gen online", is_online=True, city="")]
            )
        return {
            "formats": formats,
            "themes": themes,
            "audiences": audiences,
            "providers": providers,
            "locations": locations,
        }

    def text(self, rng, words: int, topic: str = "") -> str:
        vocabulary = WORDS
        if topic:
            vocabulary = WORDS + TOPIC_WORDS.get(topic, [topic.split()[0].lower()]) * 3
        sentence = " ".join(rng.choice(vocabulary) for _ in range(words))
        return sentence.capitalize() + "."

    def courses(self, rng, count, catalogue) -> list[int]:
        start = Course.objects.filter(slug__startswith="gen-").count()
        now = timezone.now()
        created = []
        for n in range(start, start + count):
            topic = rng.choice(TOPICS)
            title = f"{topic} {rng.choice(SUFFIXES)} ({n + 1})"
            created.append(
                Course(
                    title=title,
                    slug=f"gen-{n + 1}",
                    is_published=rng.random() < 0.95,
                    summary=self.text(rng, 14, topic),
                    description="\n\n".join(self.text(rng, 40, topic) for _ in range(3)),
                    objectives="\n".join(self.text(rng, 8, topic) for _ in range(3)),
                    audience_text=self.text(rng, 12),
                    duration=rng.choice(["3 uur", "één dagdeel", "1 dag", "2 lesdagen"]),
                    theme=rng.choice(catalogue["themes"]),
                    level=rng.choice(["", *Level.values]),
                    default_capacity=rng.choice([12, 16, 20, 24]),
                    default_min_participants=rng.choice([0, 4, 6, 8]),
                    created_at=now - datetime.timedelta(minutes=n),
                    updated_at=now,
                )
            )
        courses = Course.objects.bulk_create(created, batch_size=BATCH)
        through = {
            name: getattr(Course, name).through for name in ("formats", "audiences", "providers")
        }
        links = {name: [] for name in through}
        prices = []
        for course in courses:
            for name, per_course in (("formats", 2), ("audiences", 3), ("providers", 2)):
                chosen = rng.sample(catalogue[name], rng.randint(1, per_course))
                field = name[:-1]
                links[name].extend(
                    through[name](course_id=course.pk, **{f"{field}_id": o.pk}) for o in chosen
                )
            if rng.random() < 0.6:
                prices.append(
                    Price(
                        course=course,
                        kind=Price.Kind.PER_PARTICIPANT,
                        amount=Decimal(rng.choice([0, 25, 45, 95, 150, 250])),
                    )
                )
            if rng.random() < 0.2:
                prices.append(
                    Price(
                        course=course,
                        kind=Price.Kind.FREE_UNDER_CONDITION,
                        condition="Gratis voor medewerkers van aangesloten bibliotheken.",
                    )
                )
        for name, rows in links.items():
            through[name].objects.bulk_create(rows, batch_size=BATCH, ignore_conflicts=True)
        Price.objects.bulk_create(prices, batch_size=BATCH)
        return [course.pk for course in courses]

    def sessions(self, rng, course_ids, per_course, catalogue) -> list[int]:
        today = timezone.localdate()
        tz = timezone.get_current_timezone()
        sessions, plans = [], []
        for course_id in course_ids:
            for _ in range(per_course):
                first = today + datetime.timedelta(days=rng.randint(-120, 365))
                length = 2 if rng.random() < 0.15 else 1
                days = [first + datetime.timedelta(days=7 * i) for i in range(length)]
                start_time = datetime.time(rng.choice([9, 10, 13]), rng.choice([0, 30]))
                end_time = datetime.time(start_time.hour + 3, start_time.minute)
                starts = datetime.datetime.combine(days[0], start_time, tzinfo=tz)
                capacity = rng.choice([10, 12, 16, 20, 24])
                status = Session.Status.SCHEDULED
                if first < today:
                    status = Session.Status.CONFIRMED
                elif rng.random() < 0.05:
                    status = Session.Status.CANCELLED
                sessions.append(
                    Session(
                        course_id=course_id,
                        location=rng.choice(catalogue["locations"]),
                        starts_at=starts,
                        ends_at=datetime.datetime.combine(days[-1], end_time, tzinfo=tz),
                        capacity=capacity,
                        min_participants=min(rng.choice([0, 4, 6, 8]), capacity),
                        registration_deadline=Session.default_closes_at(starts),
                        status=status,
                    )
                )
                plans.append((days, start_time, end_time))
        sessions = Session.objects.bulk_create(sessions, batch_size=BATCH)
        SessionDay.objects.bulk_create(
            (
                SessionDay(session_id=session.pk, date=day, start_time=start, end_time=end)
                for session, (days, start, end) in zip(sessions, plans, strict=True)
                for day in days
            ),
            batch_size=BATCH,
        )
        return [session.pk for session in sessions]

    def enrolments(self, rng, session_ids, per_session) -> int:
        """People enrol one after another and about 5 % cancel later. In bulk, but by the
        placement rule of enrolments.places.services: a place a cancellation frees goes to the next
        on the waiting list who fits the cap per organisation, so in the end the first
        people still enrolled hold the places and nobody waits while a place is free."""
        limits = {
            pk: (capacity, cap)
            for pk, capacity, cap in Session.objects.filter(pk__in=session_ids).values_list(
                "pk", "capacity", "max_per_organisation"
            )
        }
        now = timezone.now()
        batch, total = [], 0
        for session_id in session_ids:
            capacity, cap = limits[session_id]
            free, per_organisation = capacity, {}
            for i in range(per_session):
                organisation = f"Bibliotheek {rng.choice(CITIES)[0]}"
                key = organisation_key(organisation)
                created_at = now - datetime.timedelta(minutes=per_session - i)
                cancelled_at = None
                if rng.random() < 0.05:
                    status = Enrolment.Status.CANCELLED
                    cancelled_at = created_at + datetime.timedelta(seconds=30)
                elif free > 0 and (cap is None or per_organisation.get(key, 0) < cap):
                    status = Enrolment.Status.REGISTERED
                    free -= 1
                    per_organisation[key] = per_organisation.get(key, 0) + 1
                else:
                    status = Enrolment.Status.WAITLISTED
                batch.append(
                    Enrolment(
                        session_id=session_id,
                        first_name=rng.choice(FIRST_NAMES),
                        last_name=rng.choice(LAST_NAMES),
                        email=f"deelnemer{session_id}-{i}@example.org",
                        organisation=organisation,
                        organisation_key=key,
                        job_title="Bibliotheekmedewerker",
                        status=status,
                        created_at=created_at,
                        cancelled_at=cancelled_at,
                    )
                )
                if len(batch) >= BATCH:
                    Enrolment.objects.bulk_create(batch)
                    total += len(batch)
                    batch = []
        Enrolment.objects.bulk_create(batch)
        return total + len(batch)
