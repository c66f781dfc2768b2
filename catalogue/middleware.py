import logging
import re
import uuid
from contextvars import ContextVar

from django.conf import settings
from django.utils import translation
from django.utils.cache import patch_vary_headers


class LanguageMiddleware:
    """Dutch unless the visitor chose another language with the switcher (a cookie).

    Unlike Django's LocaleMiddleware this ignores the browser's Accept-Language: the site is
    Dutch by default, also for a librarian whose laptop happens to be set to English.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.supported = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in self.supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        patch_vary_headers(response, ["Cookie"])
        response.headers.setdefault("Content-Language", language)
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
