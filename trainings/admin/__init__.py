"""Trainings in the admin, one module per concern. Importing them registers everything."""

from trainings.admin import sessions  # noqa: F401
