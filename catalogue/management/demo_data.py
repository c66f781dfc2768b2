"""The demo's data: accounts, locations, people's names, organisations, sessions and what
happened in them. catalogue/management/commands/demo.py builds it through the services."""

from dataclasses import dataclass, field

from trainings.models import Session

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


# Colleagues of one organisation enrolled together with one group form, by its sender.
GROUP_SESSION = "DEMO-02"
GROUP_ORGANISATION = "Bibliotheek Rijnstreek"
GROUP_SIZE = 3
GROUP_SENDER = ("Teamleider Rijnstreek", "teamleider@bibliotheek-rijnstreek.example.org")

# The first person of this session took over the place of a colleague, three days after the
# colleague enrolled.
HANDOVER_SESSION = "DEMO-01"
HANDOVER_AFTER_DAYS = 3
