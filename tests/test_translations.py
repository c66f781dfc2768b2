"""Dutch is the source language; French and English must be complete, and so must every new
string: no empty and no fuzzy entry in either catalogue."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from django.core import mail
from django.urls import reverse

from catalogue.languages import url_in_language
from enrolments.places import services
from tests.factories import CourseFactory, PriceFactory, SessionFactory

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "locale" / "en" / "LC_MESSAGES" / "django.po"
TRANSLATED = ["fr", "en"]


def catalogue_of(language: str, root: Path = ROOT) -> polib.POFile:
    return polib.pofile(str(root / "locale" / language / "LC_MESSAGES" / "django.po"))


def needs_gettext():
    if not shutil.which("xgettext") or not shutil.which("msgfmt"):
        pytest.skip("GNU gettext is not installed (apt-get install gettext)")


@pytest.mark.parametrize("language", TRANSLATED)
def test_committed_catalogue_is_complete(language):
    catalogue = catalogue_of(language)
    untranslated = [e.msgid for e in catalogue if not e.translated() and not e.obsolete]
    assert untranslated == []
    assert [e.msgid for e in catalogue.fuzzy_entries()] == []
    empty_plurals = [
        e.msgid for e in catalogue if e.msgid_plural and not all(e.msgstr_plural.values())
    ]
    assert empty_plurals == []


def test_both_catalogues_translate_the_same_texts():
    french, english = (
        {(e.msgctxt, e.msgid) for e in catalogue_of(code) if not e.obsolete} for code in TRANSLATED
    )
    assert french == english


def test_makemessages_finds_nothing_untranslated(tmp_path):
    """Running makemessages on the code as it is adds no string without a translation."""
    needs_gettext()
    for name in ("catalogue", "trainings", "enrolments", "templates", "locale"):
        shutil.copytree(ROOT / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "manage.py", tmp_path / "manage.py")
    env = {**os.environ, "DJANGO_DEBUG": "1", "DJANGO_SETTINGS_MODULE": "catalogue.settings"}
    env.pop("DATABASE_URL", None)
    result = subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "fr", "-l", "en", "--no-obsolete"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert "warning" not in result.stderr.lower(), result.stderr
    for language in TRANSLATED:
        catalogue = catalogue_of(language, tmp_path)
        untranslated = [e.msgid for e in catalogue if not e.translated() and not e.obsolete]
        assert untranslated == [], f"translate these in locale/{language}/LC_MESSAGES/django.po"
        assert [e.msgid for e in catalogue.fuzzy_entries()] == []


@pytest.mark.parametrize("language", TRANSLATED)
def test_compiled_catalogue_matches_the_source(tmp_path, language):
    needs_gettext()
    source = ROOT / "locale" / language / "LC_MESSAGES" / "django.po"
    compiled = tmp_path / "django.mo"
    subprocess.run(["msgfmt", "--check-format", "-o", str(compiled), str(source)], check=True)
    assert compiled.read_bytes() == source.with_suffix(".mo").read_bytes(), (
        f"run: manage.py compilemessages -l {language}"
    )


@pytest.mark.django_db
def test_pages_money_and_dates_in_english(client):
    course = CourseFactory(title="Privacy in het IDO")
    PriceFactory(course=course, amount="1250.00")
    SessionFactory(course=course)
    dutch = client.get(course.get_absolute_url()).content.decode()
    assert "€\xa01.250,00" in dutch and "Sessies" in dutch
    english = client.get(url_in_language(course.get_absolute_url(), "en"))
    html = english.content.decode()
    assert english["Content-Language"] == "en"
    assert '<html lang="en">' in html
    assert "€1,250.00" in html
    assert "Sessions" in html and "Add to calendar" in html
    from django.utils.formats import date_format
    from django.utils.translation import override

    with override("en"):
        day = date_format(course.sessions.get().days.get().date, "l j F Y")
    assert day in html and any(
        m in day
        for m in [
            "January",
            "February",
            "March",
            "April",
            "May",
            "June",
            "July",
            "August",
            "September",
            "October",
            "November",
            "December",
        ]
    )
    listing = client.get(reverse("catalogue:course-list")).content.decode()
    assert "1 training found" in listing


@pytest.mark.django_db
def test_language_switcher(client):
    response = client.get(reverse("site:language", args=["en"]), {"next": "/trainingen/"})
    assert response.status_code == 302 and response["Location"] == "/en/trainingen/"
    assert response.cookies["django_language"].value == "en"
    assert "Nederlands" in client.get("/en/trainingen/").content.decode()
    away = client.get(reverse("site:language", args=["nl"]), {"next": "https://evil.example/"})
    assert away["Location"] == reverse("catalogue:home")
    assert client.get(reverse("site:language", args=["de"])).status_code == 404


@pytest.mark.django_db
def test_emails_go_out_in_the_language_of_the_person(django_capture_on_commit_callbacks):
    session = SessionFactory(course=CourseFactory(title="Privacy in het IDO"))
    with django_capture_on_commit_callbacks(execute=True):
        services.enrolment_create(
            session_id=session.pk,
            first_name="Jan",
            last_name="Peeters",
            email="jan@example.be",
            organisation="Gemeente Evere",
            language="en",
        )
        services.enrolment_create(
            session_id=session.pk,
            first_name="Anna",
            last_name="Smit",
            email="anna@example.nl",
            organisation="Bieb",
        )
    english, dutch = mail.outbox
    assert english.subject == "Enrolment confirmed: Privacy in het IDO"
    assert english.body.startswith("Dear Jan,")
    assert dutch.subject == "Inschrijving bevestigd: Privacy in het IDO"
    assert dutch.body.startswith("Beste Anna,")


@pytest.mark.django_db
def test_enrolling_in_english_keeps_english_for_the_mails(client):
    session = SessionFactory()
    client.post(
        url_in_language(reverse("enrolments:enrol", args=[session.pk]), "en"),
        {
            "first_name": "Jan",
            "last_name": "P",
            "email": "jan@example.be",
            "organisation": "Gemeente Evere",
            "privacy": "on",
        },
    )
    assert session.enrolments.get().language == "en"
