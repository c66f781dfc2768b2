"""Keep capabilities out of the logs: a self-service link is enough to cancel someone's place,
so neither gunicorn's access log nor the application's own log lines may hold one whole.

`RedactingLogger` is gunicorn's logger with every access-log field passed through `redact()`
(configured in gunicorn.conf.py); `RedactingFilter` does the same for application log records
(Django logs "Gone: /inschrijving/…" for an expired link).
"""

from __future__ import annotations

import logging
import re

REDACTED = "…"

# The self-service page, in every language prefix: /inschrijving/<token>/, /en/inschrijving/….
_SELF_SERVICE = re.compile(r"(/inschrijving/)[^/?#\s\"]+")
# Any path segment shaped like a Django signed value ("payload:signature", colons possibly
# percent-encoded), whatever page it belongs to: a confirmation link is as much a key.
_SIGNED = re.compile(r"(?<=/)[A-Za-z0-9_\-.]{6,}(?::|%3[Aa])[A-Za-z0-9_\-:.%]{10,}(?=[/?#\s\"]|$)")
# Query parameters that carry a token or a receipt (old links and mails may still have them).
_QUERY = re.compile(r"([?&;](?:r|t|token|code|key|sig|signature|confirm)=)[^&;#\s\"]*", re.I)


def redact(value: str) -> str:
    """The text with tokens in paths and token-carrying query values replaced by …."""
    value = _SELF_SERVICE.sub(r"\1" + REDACTED, value)
    value = _SIGNED.sub(REDACTED, value)
    return _QUERY.sub(r"\1" + REDACTED, value)


def _redact_query_string(value: str) -> str:
    # QUERY_STRING (gunicorn's %(q)s) has no leading "?".
    return redact("?" + value)[1:] if value else value


try:
    from gunicorn.glogging import Logger
except ImportError:  # gunicorn is a production dependency; be importable without it anyway
    Logger = object  # type: ignore[assignment,misc]


class RedactingLogger(Logger):  # type: ignore[misc,valid-type]
    """gunicorn's logger, but the access log never holds a whole token."""

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        for key, value in atoms.items():
            if isinstance(value, str):
                atoms[key] = _redact_query_string(value) if key == "q" else redact(value)
        return atoms


class RedactingFilter(logging.Filter):
    """For application log records: paths in the message and its arguments lose tokens."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(redact(a) if isinstance(a, str) else a for a in record.args)
        elif isinstance(record.args, dict):
            record.args = {
                k: redact(v) if isinstance(v, str) else v for k, v in record.args.items()
            }
        return True


class ClientErrorFilter(logging.Filter):
    """A 4xx answer is one line: the client asked for something it may not have or that is not
    there, and the stack that raised PermissionDenied or Http404 says nothing about our code.
    Django logs these (django.request, "Forbidden (Permission denied): /admin/…") with the
    exception attached; 5xx records keep their traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        if status is not None and 400 <= status < 500:
            record.exc_info = None
            record.exc_text = None
        return True
