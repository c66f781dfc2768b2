"""Enrolments in the admin, one module per concern. Importing them registers everything.

In this order, so models and pages are registered as they always were (sessions.py replaces
trainings' SessionAdmin; pages.py adds the workplace, a person's data and the cost overview).
"""

# isort: off
from enrolments.admin import enrolments  # noqa: F401
from enrolments.admin import sessions  # noqa: F401
from enrolments.admin import requests  # noqa: F401
from enrolments.admin import outbox  # noqa: F401
from enrolments.admin import organisations  # noqa: F401
from enrolments.admin import pages  # noqa: F401

# isort: on
