"""A session as the home and course pages list it (catalogue/public/session_lines.py): built
in Python, so what the template engine did for free is checked here: escaping, translations,
every state, the lang mark of an untranslated title, and no query of its own."""

import dataclasses
import datetime
import re

import pytest
from django.utils import formats, translation

from catalogue.public import fragments
from catalogue.public.session_lines import render_session, render_state
from tests.factories import CourseFactory, LocationFactory, SessionFactory
from trainings.models import Session

pytestmark = pytest.mark.django_db


def loaded(session: Session) -> Session:
    return (
        Session.objects.select_related("location", "course")
        .prefetch_related("days")
        .get(pk=session.pk)
    )


def line(session, language="nl", *, show_course=False, show_actions=True, **state_changes):
    session = loaded(session)
    for name, value in state_changes.items():
        setattr(session, name, value)
    session.registered_count = state_changes.get("registered_count", 0)
    with translation.override(language):
        state = fragments.session_state(session, show_actions)
        return render_session(
            session,
            render_state(state, show_actions),
            show_course=show_course,
            show_actions=show_actions,
        )


def text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def test_a_line_escapes_what_editors_typed():
    session = SessionFactory(
        course=CourseFactory(title="Lezen <script>x</script> & schrijven"),
        location=LocationFactory(name='Zaal "De <Boog>"', city="Sint-Joost & <Ten>"),
        reserved_for="Gemeente <Oost>",
    )
    html, _untranslated = line(session, show_course=True)
    assert "<script>" not in html and "<Boog>" not in html and "<Ten>" not in html
    assert "Lezen &lt;script&gt;x&lt;/script&gt; &amp; schrijven</a></h3>" in html
    assert "Zaal &quot;De &lt;Boog&gt;&quot;, Sint-Joost &amp; &lt;Ten&gt;</p>" in html
    # The enrolment button names the city for screen readers, escaped too.
    assert ", Sint-Joost &amp; &lt;Ten&gt;</span></a>" in html
    assert "Gereserveerd voor één organisatie" in html and "Oost" not in html


def test_days_times_and_links_in_each_language():
    day = datetime.date.today() + datetime.timedelta(days=30)
    session = SessionFactory(
        days=[
            (day, datetime.time(9, 30), datetime.time(12)),
            (day + datetime.timedelta(days=7), datetime.time(13), datetime.time(16, 15)),
        ]
    )
    with translation.override("fr"):
        long_fr = formats.date_format(day, "l j F Y")
    html, _ = line(session, "fr")
    assert f'<time datetime="{day:%Y-%m-%d}T09:30">{long_fr}</time>, 09:30–12:00' in html
    assert "13:00–16:15" in html
    assert f'href="/fr/sessies/{session.pk}.ics"' in html
    assert f'href="/fr/sessies/{session.pk}/inschrijven/"' in html
    assert "S'inscrire" in html and "Ajouter à l'agenda" in html
    html_en, _ = line(session, "en")
    assert f'href="/en/sessies/{session.pk}/inschrijven/groep/"' in html_en


@pytest.mark.parametrize(
    ("changes", "nl", "fr"),
    [
        ({}, "Nog 10 plaatsen vrij", "Encore 10 places libres"),
        ({"registered_count": 9}, "Nog 1 plaats vrij", "Encore 1 place libre"),
        ({"registered_count": 10}, "Vol — schrijf je in voor de wachtlijst", None),
        ({"status": Session.Status.CANCELLED}, "Geannuleerd", None),
        ({"status": Session.Status.CONFIRMED}, "Gaat zeker door", None),
        (
            {"min_participants": 6, "registered_count": 2},
            "Gaat door bij minimaal 6 inschrijvingen (nu 2)",
            "Aura lieu à partir de 6 inscriptions (actuellement 2)",
        ),
    ],
)
def test_every_state_in_dutch_and_french(changes, nl, fr):
    session = SessionFactory()
    html, _ = line(session, "nl", **changes)
    assert nl in text(html)
    if fr:
        assert fr in text(line(session, "fr", **changes)[0])


def test_a_full_session_offers_the_waiting_list_and_a_closed_one_no_button():
    session = SessionFactory(capacity=2)
    full, _ = line(session, registered_count=2)
    assert "Op de wachtlijst" in full and ">Inschrijven<" not in full
    with_count = loaded(session)
    with_count.registered_count = 0
    closed = dataclasses.replace(
        fragments.session_state(with_count, True), is_open_for_registration=False
    )
    html = render_state(closed, True)
    assert "Inschrijving gesloten" in html and "session__action" not in html


def test_a_cancelled_session_offers_no_calendar_and_no_enrolment():
    html, _ = line(SessionFactory(), status=Session.Status.CANCELLED)
    assert "session--cancelled" in html
    assert ".ics" not in html and "inschrijven" not in html


def test_an_online_session_says_so_instead_of_a_place():
    html, _ = line(SessionFactory(location=LocationFactory(is_online=True, city="Gent")))
    assert '<p class="session__where">Online</p>' in html
    assert ", Gent</span>" not in html  # nor the city by the button


def test_an_untranslated_title_is_marked_dutch_on_other_pages():
    session = SessionFactory(course=CourseFactory(title="Voorlezen", title_fr=""))
    html, untranslated = line(session, "fr", show_course=True, show_actions=False)
    assert ' lang="nl">Voorlezen</a>' in html and untranslated
    html, untranslated = line(session, "nl", show_course=True, show_actions=False)
    assert 'lang="nl"' not in html and not untranslated


def test_rendering_a_loaded_session_asks_nothing_of_the_database(django_assert_num_queries):
    session = loaded(SessionFactory(days=[20, 21, 22]))
    session.registered_count = 3
    with django_assert_num_queries(0):
        state = fragments.session_state(session, True)
        html, _ = render_session(
            session, render_state(state, True), show_course=True, show_actions=True
        )
    assert html.count("<time ") == 3
