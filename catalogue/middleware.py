import gzip
import logging
import re
import secrets
import sys
import uuid
from contextvars import ContextVar
from types import SimpleNamespace
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.exceptions import DisallowedHost
from django.core.signals import got_request_exception
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.middleware.gzip import GZipMiddleware, re_accepts_gzip
from django.middleware.locale import LocaleMiddleware
from django.template import loader
from django.utils import translation
from django.utils.cache import add_never_cache_headers, patch_vary_headers

from catalogue.languages import path_language, url_in_language

logger = logging.getLogger(__name__)
security_logger = logging.getLogger("django.security.DisallowedHost")

# What a database that is down or unreachable raises (refused, timed out, connection lost).
DATABASE_DOWN = (OperationalError, InterfaceError)
# How long a client (or a proxy) should wait before asking again while the database is away.
RETRY_AFTER_SECONDS = 30


def chosen_language(request: HttpRequest) -> str:
    """The language of the page asked for: its path's prefix (/fr/, /en/), else Dutch."""
    return path_language(request.path_info)


# Crawlers get the address they asked for: each language version is its own page to them.
BOT = re.compile(r"bot|crawl|spider|slurp|facebookexternalhit", re.IGNORECASE)


class LanguageMiddleware(LocaleMiddleware):
    """The language comes from the path: Dutch unprefixed, /fr/… French, /en/… English.

    On a Dutch (unprefixed) page that exists in other languages, a GET from a visitor whose
    language cookie (set by the switcher) says fr or en, or who has no cookie and whose
    browser prefers fr or en, is sent to the same page in that language. A cookie saying nl
    keeps the Dutch page, also for a librarian whose laptop happens to be set to English.
    """

    def process_request(self, request):
        super().process_request(request)
        if request.method not in ("GET", "HEAD") or translation.get_language_from_path(
            request.path_info
        ):
            return None
        if BOT.search(request.headers.get("User-Agent", "")):
            return None
        # The switcher's cookie if it names one of ours, else Accept-Language, else Dutch.
        preferred = translation.get_language_from_request(request, check_path=False)
        if preferred == settings.LANGUAGE_CODE:
            return None
        target = url_in_language(request.get_full_path(), preferred)
        if target == request.get_full_path():
            return None  # not a page that exists per language (admin, robots.txt, a 404)
        response = HttpResponseRedirect(target)
        patch_vary_headers(response, ["Accept-Language", "Cookie"])
        return response

    def process_response(self, request, response):
        response = super().process_response(request, response)
        # The unprefixed pages depend on the cookie (see above), as they did before the
        # language moved into the path; LocaleMiddleware adds Accept-Language there.
        patch_vary_headers(response, ["Cookie"])
        return response


request_id: ContextVar[str] = ContextVar("request_id", default="-")
REQUEST_ID_HEADER = "X-Request-ID"
VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


class RequestIDMiddleware:
    """Give every request an id (the proxy's X-Request-ID, or a new one), for the logs.

    The id is returned in the X-Request-ID response header, so a person reporting a problem
    can quote it and the log lines of that request can be found.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get(REQUEST_ID_HEADER, "")
        value = incoming if VALID_REQUEST_ID.match(incoming) else uuid.uuid4().hex
        token = request_id.set(value)
        request.request_id = value
        try:
            response = self.get_response(request)
        finally:
            request_id.reset(token)
        response.headers[REQUEST_ID_HEADER] = value
        return response


class RequestIDFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id.get()
        return True


def note_database_down(sender, request=None, **kwargs) -> None:
    """Remember on the request that an unhandled exception was the database being away.

    Django sends got_request_exception while handling the exception, so it is still at hand
    here, where the 500 answer that FaultMiddleware later sees no longer carries it.
    """
    error = sys.exc_info()[1]
    if request is not None and isinstance(error, DATABASE_DOWN):
        request.database_down = error


got_request_exception.connect(note_database_down, dispatch_uid="catalogue.database_down")


def without_nul(query: QueryDict) -> QueryDict | None:
    """The query parameters with NUL characters removed, or None if there were none."""
    if not any("\x00" in key or "\x00" in "".join(values) for key, values in query.lists()):
        return None
    cleaned = QueryDict(mutable=True)
    for key, values in query.lists():
        cleaned.setlist(key.replace("\x00", ""), [value.replace("\x00", "") for value in values])
    cleaned._mutable = False
    return cleaned


def fault_page(request, template: str, status: int, host: str | None = None) -> HttpResponse:
    """An error page that reads neither the database nor the session.

    The page templates are rendered without context processors (the `user` one would load
    the session, and through it the database) and with a stand-in request that carries only
    what base.html reads; `host` replaces a Host header that is not ours.
    """
    page_request = SimpleNamespace(
        scheme=request.scheme,
        path=request.path,
        get_full_path=request.get_full_path,
        get_host=(lambda: host) if host else request.get_host,
        resolver_match=None,
        request_id=getattr(request, "request_id", ""),
    )
    with translation.override(chosen_language(request)):
        content = loader.get_template(template).render({"request": page_request})
        language = translation.get_language()
    response = HttpResponse(content, status=status)
    response.headers["Content-Language"] = language
    patch_vary_headers(response, ["Cookie"])
    add_never_cache_headers(response)
    return response


def with_basic_headers(response: HttpResponse) -> HttpResponse:
    """An answer that leaves before the security middleware still gets its basic headers."""
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault(
        "Content-Security-Policy",
        "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'self'; "
        "form-action 'self'; object-src 'none'",
    )
    return response


class FaultMiddleware:
    """A foreign Host header answers 400 and an unreachable database 503, never a 500.

    Django's own 400 page for a bad Host fails itself (the page asks the request for its
    host), so the host is checked here first, before anything else asks for it. Database
    failures inside a view become the short "temporarily unavailable" page with Retry-After;
    the healthz probe already says 503 in that state, and the pages now agree.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            request.get_host()
        except DisallowedHost as error:
            security_logger.warning("%s", error)
            host = urlsplit(settings.SITE_URL).netloc or "localhost"
            return with_basic_headers(fault_page(request, "400.html", 400, host=host))
        # No text we store or look up holds a NUL character, and PostgreSQL refuses it in any
        # text it compares: in the path it is a bad request, from query values it is dropped
        # (a search pasted with one still finds what it can).
        if "\x00" in request.path:
            return with_basic_headers(fault_page(request, "400.html", 400))
        cleaned = without_nul(request.GET)
        if cleaned is not None:
            request.GET = cleaned
        response = self.get_response(request)
        error = getattr(request, "database_down", None)
        if response.status_code == 500 and error is not None:
            # The database failed outside a view, e.g. in the 404 or CSRF page, whose
            # templates ask for the user and so for the session; Django answered 500.
            return with_basic_headers(self.unavailable(request, error))
        return response

    def process_exception(self, request, exception):
        if isinstance(exception, DATABASE_DOWN):
            return self.unavailable(request, exception)
        return None

    @staticmethod
    def unavailable(request, error: Exception) -> HttpResponse:
        logger.error("Database unavailable: %s", error)  # one line each, not a traceback
        response = fault_page(request, "503.html", 503)
        response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response


MESSAGES_COOKIE = CookieStorage.cookie_name
# zlib's fast strategy (levels 1-3) at its best: a catalogue page (about 100 KB of HTML)
# compresses in 0.5 ms against 1.3 ms at Django's level 6, for 10 % more bytes (12.8 KB
# against 11.6). nginx compresses at level 1 unless told otherwise.
GZIP_LEVEL = 3


def compress_page(content: bytes) -> bytes:
    """content gzipped at GZIP_LEVEL, with a random file name of random length in the
    header as Django writes it (every answer's length changes a little: against BREACH)."""
    compressed = gzip.compress(content, compresslevel=GZIP_LEVEL, mtime=0)
    header = bytearray(compressed[:10])
    header[3] = gzip.FNAME
    name = secrets.token_hex(secrets.randbelow(50) + 1).encode() + b"\x00"
    return bytes(header) + name + compressed[10:]


class PublicGZipMiddleware(GZipMiddleware):
    """Compress what anyone may read; leave pages with someone's own data uncompressed.

    BREACH: when a compressed page holds a secret and also text an attacker can put into it
    (a search term in the address), the size of the answer, watched on the network, gives the
    secret away a character at a time. So nothing is compressed for a request that carries a
    session (the admin, a logged-in adviser: names and e-mail addresses beside the search
    box) or a flash message waiting in a cookie, nor an answer that starts a session, nor an
    answer to a POST (it repeats what was typed), nor a page marked private or no-store (the
    self-service page, the "enrolment received" page). The CSRF token in a public form is
    masked anew in every answer (Django), so it gives nothing away and those pages compress.
    Static files are WhiteNoise's: compressed once, at collectstatic.
    """

    def process_response(self, request, response):
        cache_control = response.get("Cache-Control", "")
        if (
            request.method not in ("GET", "HEAD")
            or settings.SESSION_COOKIE_NAME in request.COOKIES
            or settings.SESSION_COOKIE_NAME in response.cookies
            or MESSAGES_COOKIE in request.COOKIES
            or "private" in cache_control
            or "no-store" in cache_control
        ):
            return response
        if response.streaming:
            return super().process_response(request, response)
        # As GZipMiddleware does, at GZIP_LEVEL.
        if len(response.content) < 200 or response.has_header("Content-Encoding"):
            return response
        patch_vary_headers(response, ("Accept-Encoding",))
        if not re_accepts_gzip.search(request.META.get("HTTP_ACCEPT_ENCODING", "")):
            return response
        compressed = compress_page(response.content)
        if len(compressed) >= len(response.content):
            return response
        response.content = compressed
        response.headers["Content-Length"] = str(len(compressed))
        etag = response.get("ETag")
        if etag and etag.startswith('"'):  # a strong ETag of the uncompressed page
            response.headers["ETag"] = "W/" + etag
        response.headers["Content-Encoding"] = "gzip"
        return response
