"""What the logs of a production server hold: gunicorn as deployed, its log read back.

A self-service link is enough to cancel someone's place and the result page once carried a
signed name in its address; neither may end up whole in the access or application log.
"""

import urllib.error
import urllib.request

import pytest
from django.conf import settings

from catalogue.accesslog import redact
from enrolments.places.tokens import self_service_token
from tests.factories import EnrolmentFactory, SessionFactory
from tests.servers import collect_static, gunicorn


def get(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_access_log_holds_no_tokens(tmp_path):
    static_root = tmp_path / "static"
    collect_static(static_root)
    enrolment = EnrolmentFactory(session=SessionFactory())
    token = self_service_token(enrolment)
    forged = "WzEsImFiY2RlZjEyMzQ1NiJd:1vXyZa:Q2xXbW9uZXlQZW5ueUZvckFUb2tlbg"
    session_id = enrolment.session_id
    with gunicorn(
        static_root, tmp_path, workers=1, DJANGO_HTTPS="0", DJANGO_SECRET_KEY=settings.SECRET_KEY
    ) as (base,):
        assert get(f"{base}/inschrijving/{token}/") == 200
        assert get(f"{base}/en/inschrijving/{token}/") in (200, 404)
        assert get(f"{base}/inschrijving/{forged}/") == 400  # Django logs "Bad Request: …"
        get(f"{base}/sessies/{session_id}/inschrijven/ontvangen/?r={forged}&x=1")
    log = (tmp_path / "gunicorn-0.log").read_text()
    assert token not in log and forged not in log
    assert token.split(":")[0] not in log  # not even the readable part of the token
    assert '"GET /inschrijving/…/ HTTP/1.1" 200' in log
    assert "/inschrijven/ontvangen/?r=…&x=1" in log


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("GET /inschrijving/abc:def/ HTTP/1.1", "GET /inschrijving/…/ HTTP/1.1"),
        ("GET /fr/inschrijving/abc/?x=1 HTTP/1.1", "GET /fr/inschrijving/…/?x=1 HTTP/1.1"),
        ("/groep/WzEsImFiYyJd%3A1v2X3y%3AabcDEF_123/", "/groep/…/"),
        ("/a/?token=abc&q=ido", "/a/?token=…&q=ido"),
        ("/trainingen/?q=ido&format=2", "/trainingen/?q=ido&format=2"),
        ("/static/css/site.3f2a9c1b.css", "/static/css/site.3f2a9c1b.css"),
    ],
)
def test_redact(line, expected):
    assert redact(line) == expected
