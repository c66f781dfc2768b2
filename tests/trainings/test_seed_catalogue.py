"""The real catalogue in fixtures/catalogue.json holds every training of the three seed pages."""

import datetime
from decimal import Decimal

import pytest

from trainings.models import Course, LearningPath, Price, Profile, Provider

pytestmark = pytest.mark.django_db

SEED_COURSES = {
    # IDO: basic trainings, in-depth trainings, didactics, new trainings for coordinators, MEE
    "ido-e-learning",
    "ido-vaardigheidstraining",
    "privacy-in-het-ido",
    "mentale-weerbaarheid-en-gespreksvaardigheden",
    "informatievaardigheden",
    "persoonlijke-en-organisatievraagstukken",
    "didactische-vaardigheden",
    "samenwerken-in-het-ido-netwerk",
    "ido-en-jongeren",
    "intervisie-en-borgingstechnieken",
    "omgaan-met-lvb-en-psychisch-kwetsbaren",
    # Digital citizenship: in development and existing, related expertises
    "aansluiting-programmering",
    "theory-of-change-voor-pois",
    "community-librarian",
    "mediacoach-nomc",
    "mediacoach-go-opleidingen",
    "mediacoach-windesheim",
    "of-by-for-all",
    "impactstrategie-en-theory-of-change",
    "netwerk-mediawijsheid",
    "waag-technologie-en-samenleving",
    "basisvaardigheden-voor-volwassenen",
    "vaardigheden-voor-jeugd-en-onderwijs",
    # Brussels
    "digitale-ongelijkheden-overheidsdiensten",
}


def test_every_seed_training_is_published(catalogue):
    assert set(Course.objects.published().values_list("slug", flat=True)) == SEED_COURSES


def test_every_seed_provider_is_present(catalogue):
    names = set(Provider.objects.values_list("slug", flat=True))
    for slug in [
        "onderwijsnext",
        "nomc",
        "go-opleidingen",
        "windesheim",
        "kb",
        "waag",
        "cybersoek",
        "mee",
        "stichting-digisterker",
        "caban",
        "gsob",
        "easy-brussels",
        "pois",
        "probiblio",
        "cubiss",
    ]:
        assert slug in names


def test_brussels_training_facts(catalogue):
    course = Course.objects.get(slug="digitale-ongelijkheden-overheidsdiensten")
    assert course.duration == "3 uur"
    assert course.default_capacity == 20
    assert course.guaranteed_until == datetime.date(2022, 12, 31)
    assert course.theme.name == "Bestuur en organisatie"
    assert {p.slug for p in course.providers.all()} == {"gsob", "caban", "easy-brussels"}
    assert [f.slug for f in course.formats.all()] == ["klassikaal"]
    prices = {price.kind: price for price in course.prices.all()}
    assert prices[Price.Kind.PER_PARTICIPANT].amount == Decimal("25.00")
    assert prices[Price.Kind.PER_RESERVED_SESSION].amount == Decimal("0.00")
    assert prices[Price.Kind.FREE_UNDER_CONDITION].condition
    assert prices[Price.Kind.CUSTOM_SESSION].amount is None
    assert len(course.objective_lines) >= 4
    assert "openbare computerruimtes" in course.content.lower()


def test_skills_training_caps_sixteen_per_library(catalogue):
    course = Course.objects.get(slug="ido-vaardigheidstraining")
    assert course.max_per_organisation == 16
    assert course.level == "basis"


def test_didactics_training_has_two_days_with_learning_goals(catalogue):
    course = Course.objects.get(slug="didactische-vaardigheden")
    parts = list(course.programme.all())
    assert [part.title for part in parts] == ["Lesdag 1", "Lesdag 2"]
    assert [len(part.topic_lines) for part in parts] == [5, 3]
    assert all(part.learning_goal for part in parts)
    assert course.duration == "2 lesdagen"
    assert [p.slug for p in course.providers.all()] == ["cybersoek"]


def test_mee_training_is_expected_from_january_2024(catalogue):
    course = Course.objects.get(slug="omgaan-met-lvb-en-psychisch-kwetsbaren")
    assert course.status == "expected"
    assert course.available_from == datetime.date(2024, 1, 1)
    assert [p.slug for p in course.providers.all()] == ["mee"]


def test_digital_citizenship_trainings_in_development(catalogue):
    in_development = set(
        Course.objects.filter(status="in_development").values_list("slug", flat=True)
    )
    assert in_development == {"aansluiting-programmering", "theory-of-change-voor-pois"}


def test_profiles_and_learning_paths(catalogue):
    assert set(Profile.objects.values_list("slug", flat=True)) == {
        "profiel-ido-medewerker",
        "profiel-ido-kartrekker",
    }
    paths = {path.slug: path for path in LearningPath.objects.all()}
    assert set(paths) == {
        "deskundigheidstraject-digitale-inclusie",
        "onboardingtraject-bibliotheeksector",
        "leergang-digitaal-burgerschap",
    }
    steps = paths["deskundigheidstraject-digitale-inclusie"].steps.select_related("course")
    assert [s.course.slug for s in steps if not s.is_optional] == [
        "ido-e-learning",
        "ido-vaardigheidstraining",
        "privacy-in-het-ido",
    ]


def test_related_courses_are_symmetrical(catalogue):
    brussels = Course.objects.get(slug="digitale-ongelijkheden-overheidsdiensten")
    skills = Course.objects.get(slug="ido-vaardigheidstraining")
    assert skills in brussels.related_courses.all()
    assert brussels in skills.related_courses.all()
