"""Enrolments in the admin, one module per concern. Importing them registers everything."""

from enrolments.admin import enrolments  # noqa: F401
