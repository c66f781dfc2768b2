"""Signals trainings sends for writes that bypass model signals (bulk updates)."""

from django.dispatch import Signal

# Sent after a bulk write changed what the catalogue shows (e.g. the search index, or many
# courses published at once). The public-page cache listens (catalogue.apps).
offer_changed = Signal()

# Sent when a place in a session of a course was taken or freed (enrolments/places), with
# course_slug=: the course page and the home page show places left. The page cache listens.
places_changed = Signal()
