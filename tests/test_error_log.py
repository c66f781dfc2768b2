"""What a refused or missing page leaves in the log of a real server, and /favicon.ico.

A 403 used to be logged twice (Django's own console handler under DEBUG, then ours), each
time with the whole stack of the PermissionDenied; a 404 twice as well. Now each is one line.
"""

import struct
import urllib.error
import urllib.request

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.test import Client

from tests.factories import SessionFactory
from tests.servers import collect_static, gunicorn

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture(scope="module")
def static_root(tmp_path_factory):
    root = tmp_path_factory.mktemp("static")
    collect_static(root)
    return root


def get(url: str, cookie: str = "") -> tuple[int, bytes, dict]:
    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read(), dict(response.headers)
    except urllib.error.HTTPError as error:
        return error.code, error.read(), dict(error.headers)


def logged_in_cookie() -> str:
    """A staff member without the export permission, logged in (a session in the database)."""
    user = User.objects.create_user("zonderrecht", password="x", is_staff=True)
    client = Client()
    client.force_login(user)
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


@pytest.mark.parametrize("debug", ["0", "1"])
def test_a_403_and_a_404_are_one_log_line_each_without_traceback(static_root, tmp_path, debug):
    cookie = logged_in_cookie()
    session = SessionFactory()
    forbidden = f"/export/sessies/{session.pk}/inschrijvingen.csv"
    with gunicorn(
        static_root,
        tmp_path,
        workers=1,
        DJANGO_DEBUG=debug,
        DJANGO_HTTPS="0",
        DJANGO_LOG_LEVEL="INFO",
        DJANGO_SECRET_KEY=settings.SECRET_KEY,
        GUNICORN_ACCESSLOG="",  # only the application's own lines
    ) as (base,):
        assert get(base + forbidden, cookie)[0] == 403
        assert get(base + "/trainingen/bestaat-niet/")[0] == 404
    log = (tmp_path / "gunicorn-0.log").read_text()
    assert "Traceback" not in log
    assert log.count(f"Forbidden (Permission denied): {forbidden}") == 1
    assert log.count("Not Found: /trainingen/bestaat-niet/") == 1


def test_a_500_keeps_its_traceback():
    import logging

    from catalogue.accesslog import ClientErrorFilter

    try:
        raise RuntimeError("boom")
    except RuntimeError:
        import sys

        exc_info = sys.exc_info()
    server_error = logging.LogRecord("django.request", 40, "", 0, "x", (), exc_info)
    server_error.status_code = 500
    refused = logging.LogRecord("django.request", 30, "", 0, "x", (), exc_info)
    refused.status_code = 403
    ClientErrorFilter().filter(server_error)
    ClientErrorFilter().filter(refused)
    assert server_error.exc_info is exc_info
    assert refused.exc_info is None


def icon_sizes(data: bytes) -> list[int]:
    """The image sizes an .ico file declares, checking that each image lies inside it."""
    reserved, kind, count = struct.unpack_from("<HHH", data)
    assert (reserved, kind) == (0, 1) and count >= 1
    sizes = []
    for index in range(count):
        width, height, _c, _r, _p, bits, length, offset = struct.unpack_from(
            "<BBBBHHII", data, 6 + 16 * index
        )
        assert width == height and bits == 32
        assert offset + length <= len(data)
        header_size, bmp_width, bmp_height = struct.unpack_from("<Iii", data, offset)
        assert (header_size, bmp_width, bmp_height) == (40, width or 256, 2 * (width or 256))
        sizes.append(width or 256)
    return sizes


def test_favicon_ico_is_a_real_icon_on_the_production_server(static_root, tmp_path):
    with gunicorn(static_root, tmp_path, workers=1, DJANGO_HTTPS="0") as (base,):
        status, body, headers = get(base + "/favicon.ico")
    assert status == 200
    assert headers["Content-Type"] in ("image/x-icon", "image/vnd.microsoft.icon")
    assert "max-age" in headers["Cache-Control"]
    assert icon_sizes(body) == [16, 32, 48]


def test_favicon_ico_is_served_in_development(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert icon_sizes(b"".join(response.streaming_content)) == [16, 32, 48]
