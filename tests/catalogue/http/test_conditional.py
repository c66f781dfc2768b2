"""HTTP for machines that poll: conditional GET on feeds, calendars and the sitemap (304 Not
Modified until the catalogue changes), gzip on HTML, and an Atom feed RFC 4287 accepts."""

import datetime
import gzip
import time
import urllib.error
import urllib.request
import xml.etree.ElementTree as ElementTree

import pytest
from django.contrib.auth.models import User
from django.utils import timezone
from django.utils.http import http_date

from catalogue.http.counters import SECOND_NS
from catalogue.models import Counter
from tests.factories import CourseFactory, EnrolmentFactory, SessionFactory
from tests.servers import collect_static, gunicorn

ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def session(db, django_capture_on_commit_callbacks):
    # Committed, as an adviser's save is: the shared version (and so Last-Modified) moves on.
    with django_capture_on_commit_callbacks(execute=True):
        session = SessionFactory(
            course=CourseFactory(title="Digitale overheid"),
            starts_at=timezone.now() + datetime.timedelta(days=10),
        )
    wait_past_the_last_change()
    return session


def wait_past_the_last_change() -> None:
    """Last-Modified counts whole seconds: an answer within the second of the last change
    (whose stamp may run up to a second ahead, counters.db_stamp) carries only the ETag
    (catalogue/http/conditional.py). Readers and visitors come back later than that."""
    stamps = Counter.objects.filter(key__startswith="pages:version:").values_list(
        "value", flat=True
    )
    second_after = max(stamps, default=0) // SECOND_NS + 1
    time.sleep(max(second_after - time.time(), 0) + 0.01)


def urls(session) -> list[str]:
    return ["/sessies/nieuw.atom", "/sessies.ics", f"/sessies/{session.pk}.ics", "/sitemap.xml"]


URL_NAMES = ["atom feed", "sessies.ics", "one session .ics", "sitemap"]


@pytest.mark.parametrize("index", range(4), ids=URL_NAMES)
def test_if_none_match_answers_304(client, session, index):
    url = urls(session)[index]
    first = client.get(url)
    assert first.status_code == 200
    assert first["ETag"].startswith('W/"')
    again = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
    assert again.content == b""


@pytest.mark.parametrize("index", range(4), ids=URL_NAMES)
def test_if_modified_since_answers_304(client, session, index):
    url = urls(session)[index]
    first = client.get(url)
    assert first.status_code == 200
    assert client.get(url, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"]).status_code == 304
    an_hour_before = http_date(timezone.now().timestamp() - 3600)
    assert client.get(url, HTTP_IF_MODIFIED_SINCE=an_hour_before).status_code == 200


@pytest.mark.parametrize("index", range(4), ids=URL_NAMES)
def test_a_change_to_the_catalogue_answers_200_again(
    client, session, index, django_capture_on_commit_callbacks
):
    url = urls(session)[index]
    first = client.get(url)
    with django_capture_on_commit_callbacks(execute=True):
        session.course.title = "Digitale overheid, vernieuwd"
        session.course.save()
    wait_past_the_last_change()
    again = client.get(
        url, HTTP_IF_NONE_MATCH=first["ETag"], HTTP_IF_MODIFIED_SINCE=first["Last-Modified"]
    )
    assert again.status_code == 200
    assert again["ETag"] != first["ETag"]
    assert again["Last-Modified"] != first["Last-Modified"]


def test_a_session_that_starts_drops_out_of_the_upcoming_lists(client, session, monkeypatch):
    first = {url: client.get(url)["ETag"] for url in ("/sessies/nieuw.atom", "/sessies.ics")}
    later = session.starts_at + datetime.timedelta(minutes=1)
    monkeypatch.setattr(timezone, "now", lambda: later)
    for url, etag in first.items():
        response = client.get(url, HTTP_IF_NONE_MATCH=etag)
        assert response.status_code == 200, url
        assert b"Digitale overheid" not in response.content


def test_places_taken_do_not_make_the_calendar_new(client, session):
    etag = client.get("/sessies.ics")["ETag"]
    EnrolmentFactory(session=session)  # the calendar shows no counts
    assert client.get("/sessies.ics", HTTP_IF_NONE_MATCH=etag).status_code == 304


def test_the_english_feed_has_its_own_etag(client, session):
    dutch = client.get("/sessies/nieuw.atom")["ETag"]
    response = client.get("/en/sessies/nieuw.atom", HTTP_IF_NONE_MATCH=dutch)
    assert response.status_code == 200
    assert response["ETag"] != dutch


def test_atom_feed_has_an_author(client, session):
    root = ElementTree.fromstring(client.get("/sessies/nieuw.atom").content)
    author = root.find(f"{ATOM}author")
    assert author is not None
    assert author.find(f"{ATOM}name").text == "Trainingscatalogus"
    assert author.find(f"{ATOM}uri").text == "http://testserver/"


def test_html_is_compressed_for_a_visitor(client, session):
    response = client.get("/trainingen/", HTTP_ACCEPT_ENCODING="gzip, br")
    assert response["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in response["Vary"]
    html = gzip.decompress(response.content).decode()
    assert "Digitale overheid" in html
    assert not client.get("/trainingen/").has_header("Content-Encoding")


def test_html_is_compressed_fast_with_a_random_name_against_breach(client, session):
    """Level 3 (zlib's fast strategy), not Django's 6; every answer's length differs a
    little (a random file name in the gzip header), the ETag is a weak one."""
    import zlib

    from catalogue.middleware import GZIP_LEVEL

    answers = [client.get("/trainingen/", HTTP_ACCEPT_ENCODING="gzip") for _ in range(4)]
    html = client.get("/trainingen/").content
    for response in answers:
        assert gzip.decompress(response.content) == html
        assert response.content[3] & gzip.FNAME
        assert response["ETag"].startswith('W/"')
        assert response["Content-Length"] == str(len(response.content))
    assert len({len(response.content) for response in answers}) > 1
    # The deflate stream after the header is the one zlib gives at GZIP_LEVEL.
    body = answers[0].content
    deflated = body[body.index(b"\x00", 10) + 1 : -8]
    at_level = zlib.compressobj(GZIP_LEVEL, zlib.DEFLATED, -zlib.MAX_WBITS)
    assert deflated == at_level.compress(html) + at_level.flush()
    assert GZIP_LEVEL == 3


def test_pages_with_a_session_are_not_compressed(client, session):
    """BREACH: the admin shows names and addresses next to a search box."""
    user = User.objects.create_superuser("beheer", "b@example.org", "x")
    client.force_login(user)
    for url in ("/trainingen/", "/admin/enrolments/enrolment/?q=a"):
        response = client.get(url, HTTP_ACCEPT_ENCODING="gzip")
        assert response.status_code == 200
        assert not response.has_header("Content-Encoding"), url


def test_the_self_service_page_is_not_compressed(client, session):
    from enrolments.places.tokens import self_service_token

    enrolment = EnrolmentFactory(session=session)
    response = client.get(
        f"/inschrijving/{self_service_token(enrolment)}/", HTTP_ACCEPT_ENCODING="gzip"
    )
    assert response.status_code == 200
    assert "private" in response["Cache-Control"]
    assert not response.has_header("Content-Encoding")


def test_feeds_are_compressed_and_still_answer_304(client, session):
    first = client.get("/sessies.ics", HTTP_ACCEPT_ENCODING="gzip")
    assert first["Content-Encoding"] == "gzip"
    assert b"BEGIN:VCALENDAR" in gzip.decompress(first.content)
    again = client.get(
        "/sessies.ics", HTTP_ACCEPT_ENCODING="gzip", HTTP_IF_NONE_MATCH=first["ETag"]
    )
    assert again.status_code == 304


def conditional_get(url: str, etag: str) -> int:
    request = urllib.request.Request(url, headers={"If-None-Match": etag})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_etags_hold_across_two_worker_processes_without_redis(tmp_path):
    """Each worker has its own memory cache: the ETag must come from what they share."""
    static_root = tmp_path / "static"
    collect_static(static_root)
    session = SessionFactory(starts_at=timezone.now() + datetime.timedelta(days=10))
    with gunicorn(static_root, tmp_path, count=2, workers=1, DJANGO_HTTPS="0") as servers:
        for path in ("/sessies/nieuw.atom", "/sessies.ics", f"/sessies/{session.pk}.ics"):
            with urllib.request.urlopen(servers[0] + path, timeout=30) as response:
                etag = response.headers["ETag"]
            assert [conditional_get(base + path, etag) for base in servers * 3] == [304] * 6
        session.course.title = "Nieuw in de catalogus"
        session.course.save()  # autocommit: the shared version moves on at once
        assert [conditional_get(base + "/sessies.ics", etag) for base in servers] == [200, 200]
