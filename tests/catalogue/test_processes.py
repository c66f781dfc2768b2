"""The product as `make serve` runs it without Redis: two gunicorn worker processes, one
database, each process with its own memory cache. Page freshness, rate limits and the admin
lock-out must hold across them."""

import re
import time
import urllib.error
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar

import pytest
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.contrib.auth.models import User

from enrolments.models import Enrolment
from tests.factories import CourseFactory, SessionFactory, ThemeFactory
from tests.servers import collect_static, gunicorn

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@pytest.fixture(scope="module")
def static_root(tmp_path_factory):
    root = tmp_path_factory.mktemp("static")
    collect_static(root)
    return root


@pytest.fixture
def two_workers(static_root, tmp_path):
    """Two worker processes without REDIS_URL (two single-worker instances, so that requests
    alternate between them deterministically), behind one trusted proxy."""

    def start(**overrides):
        return gunicorn(
            static_root,
            tmp_path,
            count=2,
            workers=1,
            DJANGO_HTTPS="0",
            DJANGO_NUM_PROXIES="1",
            **overrides,
        )

    return start


class Browser:
    """One visitor: its own cookies; answers with their status, errors included."""

    def __init__(self, ip: str = "198.51.100.7"):
        self.ip = ip
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))

    def request(self, url: str, data: dict | None = None) -> tuple[int, str, str]:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(url, body, headers={"X-Forwarded-For": self.ip})
        try:
            with self.opener.open(request, timeout=60) as response:
                return response.status, response.geturl(), response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.geturl(), error.read().decode()

    def token(self, url: str) -> str:
        return TOKEN.search(self.request(url)[2]).group(1)


def places_left(page: str) -> str:
    return re.search(r"Nog (\d+) plaats(?:en)? vrij", page).group(1)


def test_course_page_shows_new_places_left_in_every_process(two_workers):
    session = SessionFactory(capacity=10)
    course_url = session.course.get_absolute_url()
    form = f"/sessies/{session.pk}/inschrijven/"
    with two_workers() as (first, second):
        visitor = Browser()
        # Both processes have the page in their cache.
        for base in (first, second, first, second):
            assert places_left(visitor.request(base + course_url)[2]) == "10"
        status, url, _ = visitor.request(
            first + form,
            {
                "csrfmiddlewaretoken": visitor.token(first + form),
                "first_name": "Anna",
                "last_name": "Jansen",
                "email": "anna@example.org",
                "organisation": "Bibliotheek Oost",
                "privacy": "on",
                "website": "",
            },
        )
        assert status == 200 and "/inschrijven/ontvangen/" in url
        shown = [
            places_left(visitor.request(base + course_url)[2]) for base in [first, second] * 12
        ]
    assert shown == ["9"] * 24


def test_catalogue_shows_a_new_course_in_every_process(two_workers):
    """Each process answers the catalogue from its own facet index; a course added through
    another process (here: the test's) is listed by both at once, whether a process is still
    rebuilding its index (the database answers) or already has the new one."""
    theme = ThemeFactory(slug="leesbevordering", name="Leesbevordering")
    CourseFactory(title="Voorlezen aan peuters", theme=theme)
    catalogue = "/trainingen/?theme=leesbevordering"
    with two_workers() as (first, second):
        visitor = Browser()
        for _attempt in range(40):  # until both have built their index in the background
            pages = [visitor.request(base + catalogue)[2] for base in (first, second)]
            time.sleep(0.1)
        assert all("1 training gevonden" in page for page in pages)
        CourseFactory(title="Prentenboeken kiezen", theme=theme)
        pages = []
        for _attempt in range(15):
            pages += [visitor.request(base + catalogue)[2] for base in (first, second)]
            time.sleep(0.1)
    assert all("Prentenboeken kiezen" in page for page in pages)
    assert all("2 trainingen gevonden" in page for page in pages)


def test_enrolment_limit_holds_across_processes(two_workers):
    session = SessionFactory(capacity=100)
    form = f"/sessies/{session.pk}/inschrijven/"
    with two_workers(DJANGO_RATELIMIT_POSTS="30") as (first, second):
        visitor = Browser()
        tokens = {base: visitor.token(base + form) for base in (first, second)}
        statuses = []
        for index in range(31):
            base = (first, second)[index % 2]
            status, _, _ = visitor.request(
                base + form,
                {
                    "csrfmiddlewaretoken": tokens[base],
                    "first_name": "P",
                    "last_name": str(index),
                    "email": f"p{index}@example.org",
                    "organisation": "Bibliotheek Oost",
                    "privacy": "on",
                    "website": "",
                },
            )
            statuses.append(status)
        # Another client is not limited by the first one.
        other = Browser(ip="198.51.100.8")
        other_status, _, _ = other.request(
            second + form, {"csrfmiddlewaretoken": other.token(second + form)}
        )
    assert statuses[:30] == [200] * 30
    assert statuses[30] == 429
    assert Enrolment.objects.filter(session=session).count() == 30
    assert other_status != 429


def login(browser: Browser, base: str, username: str, password: str) -> tuple[int, str]:
    status, url, _ = browser.request(
        base + "/admin/login/?next=/admin/",
        {
            "csrfmiddlewaretoken": browser.token(base + "/admin/login/"),
            "username": username,
            "password": password,
        },
    )
    return status, url


def test_login_lockout_is_per_username_and_address_across_processes(two_workers):
    # The servers use the production password hashers, not the fast one of the tests.
    for name in ("adviseur", "collega"):
        User.objects.create(
            username=name,
            is_staff=True,
            is_superuser=True,
            password=PBKDF2PasswordHasher().encode("juist-wachtwoord-7", "zout1234"),
        )
    with two_workers(DJANGO_LOGIN_FAILURES="5") as (first, second):
        attacker = Browser(ip="203.0.113.66")
        failures = [
            login(attacker, (first, second)[i % 2], "adviseur", f"fout-{i}")[0] for i in range(5)
        ]
        # The sixth try, even with the right password, is refused on either process.
        locked = [
            login(attacker, base, "adviseur", "juist-wachtwoord-7")[0] for base in (first, second)
        ]
        # The real adviser, from the office's address, still gets in.
        adviser = Browser(ip="192.0.2.10")
        status, url = login(adviser, second, "adviseur", "juist-wachtwoord-7")
        assert status == 200 and url.endswith("/admin/")
        # Another name from the attacker's address is not locked out.
        colleague = Browser(ip="203.0.113.66")
        other_status, other_url = login(colleague, first, "collega", "juist-wachtwoord-7")
    assert failures == [200] * 5
    assert locked == [429, 429]
    assert other_status == 200 and other_url.endswith("/admin/")
