"""Mails about a course name it in the person's language (issue 16): the seed GSOB training
has a French and an English title; a person enrolling in French reads the French one."""

import pytest
from django.utils import translation

from tests.enrolments.mail.test_calendar_cancel import enrol, mails_to, outbox_now  # noqa: F401
from tests.factories import SessionFactory
from trainings.models import Course

pytestmark = pytest.mark.django_db

GSOB = "digitale-ongelijkheden-overheidsdiensten"
FRENCH_TITLE = (
    "Prévenir et combattre les inégalités numériques dans la digitalisation des services publics"
)
DUTCH_TITLE = (
    "Voorkomen en bestrijden van digitale ongelijkheden bij de digitalisering van overheidsdiensten"
)


@pytest.mark.usefixtures("catalogue")
@pytest.mark.parametrize(
    ("language", "title"),
    [
        ("fr", FRENCH_TITLE),
        ("en", "Preventing and tackling digital inequalities as public services go digital"),
        ("nl", DUTCH_TITLE),
    ],
)
def test_enrolment_mail_names_the_course_in_the_persons_language(outbox_now, language, title):  # noqa: F811
    session = SessionFactory(course=Course.objects.get(slug=GSOB), days=[10])
    with translation.override("nl"), outbox_now():  # queued from a Dutch request
        enrol(session, "camille@example.be", language=language)
    (confirmation,) = mails_to("camille@example.be")
    assert confirmation["Subject"].endswith(title)
    assert title in confirmation.get_body(("plain",)).get_content()


def test_a_course_without_french_title_is_named_in_dutch(outbox_now):  # noqa: F811
    session = SessionFactory(days=[10])
    with outbox_now():
        enrol(session, "camille@example.be", language="fr")
    (confirmation,) = mails_to("camille@example.be")
    assert confirmation["Subject"].endswith(session.course.title_nl)
