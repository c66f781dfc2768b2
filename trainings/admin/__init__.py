"""Trainings in the admin, one module per concern. Importing them registers everything.

In this order, so models are registered as they always were (the enrolments admin replaces
sessions.py's SessionAdmin with one that also shows who is enrolled).
"""

# isort: off
from trainings.admin import taxonomy  # noqa: F401
from trainings.admin import courses  # noqa: F401
from trainings.admin import sessions  # noqa: F401
from trainings.admin import paths  # noqa: F401

# isort: on
