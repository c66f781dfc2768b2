"""The presentielijst on paper: Chromium prints it to PDF, poppler reads the text back per page."""

import re
import shutil
import subprocess

import pytest
from django.conf import settings
from django.contrib.auth.models import Group, User
from django.test import Client
from django.urls import reverse

from enrolments.exports.views import KEEP_TOGETHER
from tests.factories import CourseFactory, EnrolmentFactory, SessionFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def pdf_pages(pdf: bytes) -> list[str]:
    pdftotext = shutil.which("pdftotext")
    assert pdftotext, "pdftotext not found; install it with: apt-get install poppler-utils"
    text = subprocess.run(
        [pdftotext, "-layout", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()
    return text.split("\f")[:-1]  # every page ends in a form feed


def logged_in_context(browser, live_server, user):
    client = Client()
    client.force_login(user)
    context = browser.new_context(locale="nl-NL")
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}]
    )
    return context


def test_every_printed_page_names_the_session_and_no_page_holds_a_lone_name(browser, live_server):
    session = SessionFactory(
        course=CourseFactory(title="Privacy in het IDO"), days=[14], trainer="tessa", capacity=40
    )
    day = session.days.get().date
    running_title = f"Presentielijst: Privacy in het IDO · {day.day} "
    trainer = User.objects.create_user("tessa", is_staff=True)
    trainer.groups.add(Group.objects.get(name="Trainers"))
    context = logged_in_context(browser, live_server, trainer)
    page = context.new_page()
    url = live_server.url + reverse("enrolments:attendance-list", args=[session.pk])

    page_counts = set()
    names = []
    # One name more each time until the list runs onto a second page and well past it, so
    # that every way the last rows can fall (one name past a full page, two, …) is printed
    # once; then a list long enough for three pages.
    for number in [*range(1, 21), 36]:
        while len(names) < number:
            names.append(f"Deelnemer{len(names) + 1:02d}")
            EnrolmentFactory(session=session, first_name="Anna", last_name=names[-1])
        page.goto(url)
        pages = pdf_pages(page.pdf(prefer_css_page_size=True))
        page_counts.add(len(pages))
        per_page = [re.findall(r"Deelnemer\d\d", text) for text in pages]
        label = f"{number} people: {[len(found) for found in per_page]}"
        assert [name for found in per_page for name in found] == names, label
        for index, text in enumerate(pages, start=1):
            assert running_title in text, label
            assert re.search(r"#\s+Naam\s+Organisatie\s+Handtekening", text), label
            assert re.search(rf"\b{index}\s*/\s*{len(pages)}\s*$", text.rstrip()), label
            assert len(per_page[index - 1]) >= min(number, KEEP_TOGETHER), label
        assert "Afgetekend door de trainer" in pages[-1], label
        if number <= 10:  # a usual group fits on one page, blank rows and sign-off included
            assert len(pages) == 1, label
        assert all("Afgetekend" not in text for text in pages[:-1]), label
    assert page_counts == {1, 2, 3}
    context.close()
