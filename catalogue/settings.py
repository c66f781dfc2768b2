"""Settings for the Trainingscatalogus, configured from the environment.

Every deployment-specific value comes from an environment variable (see README,
"Configuratie"). Without any, the project runs as a local development site on SQLite.
"""

import os
import secrets
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _
from dotenv import load_dotenv

from catalogue.taskqueue import task_queue

BASE_DIR = Path(__file__).resolve().parent.parent

# Local settings: `make run` writes a git-ignored `.env` beside manage.py (debug on, a generated
# key, the site's address), so every manage.py command works on a developer's machine with
# nothing exported. Variables already in the environment win. Production has no `.env` (or
# sets DJANGO_ENV_FILE to its own file); an empty DJANGO_ENV_FILE reads none.
ENV_FILE = os.environ.get("DJANGO_ENV_FILE", str(BASE_DIR / ".env"))
if ENV_FILE:
    load_dotenv(ENV_FILE, override=False)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG", False)

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY and os.environ.get("DJANGO_THROWAWAY_SECRET_KEY") == "1":
    SECRET_KEY = secrets.token_urlsafe(50)  # set by manage.py for commands that sign nothing
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is not set. Set it to a long random value in production, "
            "or run `make run` once for a local development site (it writes a .env)."
        )
    SECRET_KEY = "django-insecure-development-only-key-do-not-use-in-production"

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    # Before the admin: translated fields (trainings/translation.py) and their admin widgets.
    "modeltranslation",
    "catalogue.admin_site.CatalogueAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sitemaps",
    "django.contrib.postgres",
    "csp",
    "django_filters",
    "huey.contrib.djhuey",
    "catalogue",
    "trainings",
    "enrolments",
]

MIDDLEWARE = [
    "catalogue.middleware.RequestIDMiddleware",
    "catalogue.middleware.FaultMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Below WhiteNoise (static files come compressed already), above everything that writes
    # a body; see its docstring for what it leaves uncompressed (BREACH).
    "catalogue.middleware.PublicGZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "catalogue.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "catalogue.urls"
WSGI_APPLICATION = "catalogue.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
            ],
        },
    },
]

# Database: DATABASE_URL, defaulting to an SQLite file beside manage.py.
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # A database host that never answers must not hold a request until gunicorn's timeout:
    # give up after a few seconds and answer 503 (DATABASE_URL's ?connect_timeout= wins).
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("connect_timeout", 5)
    # The same few statements run on every request (a course's row, its sessions, the
    # duplicate check of an enrolment): with the parameters bound by the server, psycopg
    # prepares a statement once a connection has run it twice, and PostgreSQL plans it once
    # instead of on every request. Off (0) behind a pooler that cannot keep prepared
    # statements (PgBouncer in transaction mode before 1.21).
    if os.environ.get("DATABASE_PREPARED_STATEMENTS", "1") == "1":
        DATABASES["default"]["OPTIONS"].setdefault("server_side_binding", True)
        DATABASES["default"]["OPTIONS"].setdefault("prepare_threshold", 2)
        # Django's backend, with bulk writes cut to the server's limit on bound parameters.
        DATABASES["default"]["ENGINE"] = "catalogue.db.postgresql"
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE takes the write lock at BEGIN, so a transaction that counts places and
    # then writes cannot be overtaken by another writer between the two.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": ("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"),
    }
    # The sessions' start-order index carries extra columns on PostgreSQL (INCLUDE); SQLite
    # keeps the index on its key columns only, which is all it needs.
    SILENCED_SYSTEM_CHECKS = ["models.W040"]

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "nl"
LANGUAGES = [("nl", _("Nederlands")), ("fr", _("Frans")), ("en", _("Engels"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Taxonomy names (formats, themes, audiences) are stored per language in name_<code> columns
# (trainings/translation.py). Every language of the site gets a column; a missing translation
# shows the Dutch name, and a missing Dutch one any other.
MODELTRANSLATION_DEFAULT_LANGUAGE = LANGUAGE_CODE
MODELTRANSLATION_LANGUAGES = tuple(code for code, _name in LANGUAGES)
MODELTRANSLATION_FALLBACK_LANGUAGES = (
    LANGUAGE_CODE,
    *(code for code in MODELTRANSLATION_LANGUAGES if code != LANGUAGE_CODE),
)
TIME_ZONE = "Europe/Amsterdam"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("DJANGO_STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
FIXTURE_DIRS = [BASE_DIR / "fixtures"]
# Files served at the site's root by WhiteNoise: /favicon.ico, which browsers ask for on their
# own (feeds, the admin, PDFs) whatever the page's <link rel="icon"> says.
WHITENOISE_ROOT = BASE_DIR / "public"

MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("DJANGO_MEDIA_ROOT", BASE_DIR / "media"))

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

LOGIN_URL = "admin:login"
CSRF_FAILURE_VIEW = "catalogue.public.views.csrf_failure"

# -- Security ---------------------------------------------------------------------------------
# Behind a reverse proxy (nginx) set DJANGO_NUM_PROXIES=1: the proxy's X-Forwarded-Proto says
# whether the request came in over HTTPS, and X-Forwarded-For carries the client address.
NUM_PROXIES = int(os.environ.get("DJANGO_NUM_PROXIES", "0"))
if NUM_PROXIES:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Served over HTTPS (the default in production): secure cookies, HSTS, redirect to https.
HTTPS = env_bool("DJANGO_HTTPS", not DEBUG)
if HTTPS:
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SSL_REDIRECT", True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # load balancers probe over plain HTTP
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", str(365 * 24 * 3600)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", True)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 8 * 3600  # a working day in the admin
CSRF_COOKIE_HTTPONLY = True

# No inline script or style anywhere, the admin included.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}

# Public forms: at most this many POSTs per client address in the window (seconds).
RATELIMIT_POSTS = int(os.environ.get("DJANGO_RATELIMIT_POSTS", "30"))
RATELIMIT_WINDOW = int(os.environ.get("DJANGO_RATELIMIT_WINDOW", "600"))
# Admin login: a lock-out after this many failures for one name from one address.
LOGIN_FAILURES_ALLOWED = int(os.environ.get("DJANGO_LOGIN_FAILURES", "5"))
LOGIN_LOCKOUT_SECONDS = int(os.environ.get("DJANGO_LOGIN_LOCKOUT", "900"))

# A group enrolment waits this long for the sender to confirm their address; then it is
# deleted by `manage.py expire_group_requests`.
GROUP_CONFIRMATION_HOURS = int(os.environ.get("DJANGO_GROUP_CONFIRMATION_HOURS", "48"))
# Personal data of sessions that ended longer ago than this is anonymised by
# `manage.py purge_personal_data` (run it nightly from cron).
PERSONAL_DATA_RETENTION_MONTHS = int(os.environ.get("DJANGO_RETENTION_MONTHS", "12"))
# Free cancellation until this many working days before a session, unless the course or its
# provider sets another term (see trainings/terms.py).
FREE_CANCELLATION_WORKING_DAYS = int(os.environ.get("DJANGO_CANCELLATION_WORKING_DAYS", "10"))

# -- Cache and sessions -----------------------------------------------------------------------
# The catalogue's facet index (catalogue/public/facet_index.py): filters, counts and pages
# from bitsets in each process, rebuilt in a background thread when the offer changes.
CATALOGUE_INDEX = env_bool("DJANGO_CATALOGUE_INDEX", True)
CATALOGUE_INDEX_BACKGROUND = env_bool("DJANGO_CATALOGUE_INDEX_BACKGROUND", True)
# Opt-in: public reading pages cached whole for anonymous visitors and invalidated on every
# change (catalogue/http/cache.py); PAGE_CACHE_SECONDS bounds what changes with time alone.
# Off by default: every page is rendered and nothing depends on the cache; browsers and
# proxies revalidate with ETag / Last-Modified and get a 304 (catalogue/http/conditional.py).
CACHE_PAGES = env_bool("DJANGO_CACHE_PAGES", False)
PAGE_CACHE_SECONDS = int(os.environ.get("DJANGO_PAGE_CACHE_SECONDS", "60"))
# With REDIS_URL several instances share the cache, rate limits and sessions; without it each
# process keeps its own cache and sessions live in the database. The numbers every process
# must agree on (page versions, rate limits, login failures) are then kept in the database
# (catalogue/http/counters.py), so limits and fresh pages hold with any number of workers.
# Without Redis, about one rate-limited write in COUNTER_PURGE_EVERY also deletes the expired
# counters (0: never at random).
COUNTER_PURGE_EVERY = 100
REDIS_URL = os.environ.get("REDIS_URL", "")
SHARED_COUNTERS = "cache" if REDIS_URL else "database"
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "catalogue.http.redis_cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": os.environ.get("DJANGO_CACHE_PREFIX", "trainingscatalogus"),
        }
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.cache"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    SESSION_ENGINE = "django.contrib.sessions.backends.db"


def parse_email_url(url: str) -> dict[str, object]:
    """Turn EMAIL_URL (smtp://user:pass@host:587/?tls=1, console://, locmem://) into settings."""
    parts = urlsplit(url)
    backends = {
        "smtp": "django.core.mail.backends.smtp.EmailBackend",
        "smtps": "django.core.mail.backends.smtp.EmailBackend",
        "console": "django.core.mail.backends.console.EmailBackend",
        "locmem": "django.core.mail.backends.locmem.EmailBackend",
        "dummy": "django.core.mail.backends.dummy.EmailBackend",
    }
    if parts.scheme not in backends:
        raise ImproperlyConfigured(f"EMAIL_URL has an unknown scheme: {parts.scheme!r}")
    query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
    config: dict[str, object] = {"EMAIL_BACKEND": backends[parts.scheme]}
    if parts.scheme in {"smtp", "smtps"}:
        config.update(
            EMAIL_HOST=parts.hostname or "localhost",
            EMAIL_PORT=parts.port or (465 if parts.scheme == "smtps" else 25),
            EMAIL_HOST_USER=unquote(parts.username or ""),
            EMAIL_HOST_PASSWORD=unquote(parts.password or ""),
            EMAIL_USE_SSL=parts.scheme == "smtps" or query.get("ssl") in {"1", "true"},
            EMAIL_USE_TLS=query.get("tls") in {"1", "true"},
        )
    return config


if os.environ.get("EMAIL_URL"):
    globals().update(parse_email_url(os.environ["EMAIL_URL"]))
else:
    EMAIL_BACKEND = os.environ.get(
        "EMAIL_BACKEND",
        "django.core.mail.backends.console.EmailBackend"
        if DEBUG
        else "django.core.mail.backends.smtp.EmailBackend",
    )
    EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
    EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
    EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
    EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
# A mail server that accepts the connection and never answers must not hold the worker.
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "10"))
# A mail the worker claimed this many seconds ago and never marked sent or failed was left by
# a worker that died while sending: the outbox sweep hands it back to be sent again.
EMAIL_CLAIM_SECONDS = int(os.environ.get("DJANGO_EMAIL_CLAIM_SECONDS", "600"))

# -- Work outside the request (Huey) ----------------------------------------------------------
# Mail, decisions at the deadline, reminders and nightly jobs run in the worker
# (`make worker`, `manage.py run_huey`). TASK_QUEUE_URL chooses where the queue lives:
# sqlite:///path (one machine), redis://host:6379/1 or postgres://… (workers on several
# machines). Unset: beside the database (an SQLite file next to db.sqlite3, or tables in the
# same PostgreSQL database). The outbox (QueuedEmail) stays the truth; the queue only says
# "now".
TASK_QUEUE_URL = os.environ.get("TASK_QUEUE_URL", "")
HUEY = task_queue(
    TASK_QUEUE_URL, DATABASES["default"], immediate=env_bool("TASK_QUEUE_IMMEDIATE", False)
)
# Days before a session's first day that people with a place get a reminder (0: none).
REMINDER_DAYS_BEFORE = int(os.environ.get("DJANGO_REMINDER_DAYS_BEFORE", "3"))

# The public address of the site, used in e-mails and calendar files that leave the request.
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")


def default_accessibility_email(site_url: str) -> str:
    """toegankelijkheid@ the site's own domain (without www.); a local site has none."""
    host = (urlsplit(site_url).hostname or "").removeprefix("www.")
    if not host or host == "localhost" or host.replace(".", "").isdigit() or ":" in host:
        host = "trainingscatalogus.localhost"
    return f"toegankelijkheid@{host}"


# Where people report an accessibility problem (the statement at /toegankelijkheid/).
ACCESSIBILITY_EMAIL = os.environ.get("DJANGO_ACCESSIBILITY_EMAIL") or default_accessibility_email(
    SITE_URL
)

LOG_LEVEL = os.environ.get("DJANGO_LOG_LEVEL", "INFO")


def mail_domain(site_url: str) -> str:
    """The site's host name, for the sender's address: an IP address (a local run) cannot be
    the domain of an address without brackets that many mail programs refuse."""
    host = urlsplit(site_url).hostname or ""
    return host if any(c.isalpha() for c in host) else "localhost"


# Mail comes from the site's own domain unless configured: a made-up domain is marked as spam
# (no SPF/DKIM can ever pass for it).
DEFAULT_FROM_EMAIL = os.environ.get(
    "DEFAULT_FROM_EMAIL", f"Trainingscatalogus <noreply@{mail_domain(SITE_URL)}>"
)
SERVER_EMAIL = DEFAULT_FROM_EMAIL

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_id": {"()": "catalogue.middleware.RequestIDFilter"},
        # No self-service token in a log line ("Gone: /inschrijving/<token>/").
        "redact": {"()": "catalogue.accesslog.RedactingFilter"},
        # A 403 or 404 is one line, without the traceback of the PermissionDenied/Http404.
        "client_errors": {"()": "catalogue.accesslog.ClientErrorFilter"},
    },
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s [%(request_id)s] %(name)s %(message)s"}
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "formatter": "plain",
            "filters": ["request_id", "redact", "client_errors"],
        }
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        # Django's default config gives the "django" logger its own console handler (under
        # DEBUG) and mail_admins (ADMINS is not used here); with the root handler above that
        # printed every warning twice. Its records now go to the root handler only.
        "django": {"handlers": [], "level": LOG_LEVEL, "propagate": True},
        "django.db.backends": {"level": "INFO"},
        # The worker's own lines, once (run_huey adds a handler of its own to a bare logger).
        "huey": {"handlers": ["console"], "level": LOG_LEVEL, "propagate": False},
    },
}
