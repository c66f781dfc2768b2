"""Settings for the test suite: the real settings with test-only secrets and fast hashing."""

import os

os.environ.setdefault("DJANGO_SECRET_KEY", "test-only-secret-key-that-is-long-enough-for-checks")
os.environ.setdefault("DJANGO_ENV_FILE", "")  # a developer's .env never changes the tests
os.environ.setdefault("DJANGO_HTTPS", "0")  # the test client speaks plain HTTP

from catalogue.settings import *  # noqa: F403
from catalogue.settings import DATABASES, STORAGES
from catalogue.taskqueue import task_queue

EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
SITE_URL = "http://testserver"
DATABASES["default"]["CONN_MAX_AGE"] = 0
WHITENOISE_AUTOREFRESH = True  # no collected static files in tests

# A file, not memory: the concurrency tests open a connection per thread, and those must see
# one shared database with real locking (an in-memory database cannot give that).
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    import tempfile
    from pathlib import Path

    DATABASES["default"]["TEST"] = {
        "NAME": str(Path(tempfile.gettempdir()) / f"trainingscatalogus-test-{os.getpid()}.sqlite3")
    }

# No random purge of expired rate-limit counters: it would add a DELETE to one post in a
# hundred and make query counts flaky. The tests of the purge set it themselves.
COUNTER_PURGE_EVERY = 0

# The request that finds the catalogue index out of date rebuilds it itself, so a test sees
# its own changes at once (a server process answers from the database meanwhile).
CATALOGUE_INDEX_BACKGROUND = False

# Tasks run at once, in the test's own process (the tests of the real worker start one).
HUEY = task_queue("", DATABASES["default"], immediate=True)
