"""Reads over many courses and sessions. Views, admin and templates call these."""

from __future__ import annotations

import datetime
import re

from django.db import models
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

# Enrolment statuses as stored by enrolments.Enrolment; counted here so that every listing
# gets its counts from one annotated query instead of a query per session.
REGISTERED = "registered"
WAITLISTED = "waitlisted"

SEARCH_MAX_TERMS = 8


def search_terms(query: str) -> list[str]:
    """Split a free-text query into at most a few words, ignoring punctuation."""
    words = re.findall(r"\w[\w'’-]*", query or "")
    return [w for w in words if len(w) > 1 or w.isdigit()][:SEARCH_MAX_TERMS]


class SessionQuerySet(models.QuerySet):
    def upcoming(self, now: datetime.datetime | None = None) -> SessionQuerySet:
        """Sessions that have not started yet."""
        return self.filter(starts_at__gt=now or timezone.now())

    def past(self, now: datetime.datetime | None = None) -> SessionQuerySet:
        return self.filter(starts_at__lte=now or timezone.now())

    def open_for_registration(self, now: datetime.datetime | None = None) -> SessionQuerySet:
        """Sessions a person can still enrol in (possibly on the waiting list)."""
        now = now or timezone.now()
        return (
            self.upcoming(now)
            .exclude(status="cancelled")
            .alias(closes_at=Coalesce("registration_deadline", "starts_at"))
            .filter(closes_at__gt=now)
        )

    def public(self) -> SessionQuerySet:
        return self.filter(course__is_published=True)

    def with_counts(self) -> SessionQuerySet:
        """Annotate registered_count and waitlisted_count in the same query."""
        return self.annotate(
            registered_count=Count("enrolments", filter=Q(enrolments__status=REGISTERED)),
            waitlisted_count=Count("enrolments", filter=Q(enrolments__status=WAITLISTED)),
        )

    def for_listing(self) -> SessionQuerySet:
        """Everything a session row on a public page shows, without a query per row."""
        from trainings.models import SessionDay

        return (
            self.select_related("location", "course")
            .prefetch_related(Prefetch("days", queryset=SessionDay.objects.order_by("date")))
            .with_counts()
            .order_by("starts_at", "pk")
        )


class CourseQuerySet(models.QuerySet):
    def published(self) -> CourseQuerySet:
        return self.filter(is_published=True)

    def search(self, query: str) -> CourseQuerySet:
        """Courses matching every word of the query in title, summary, description,
        provider or audience (case-insensitive)."""
        from trainings.models import Audience, Provider

        terms = search_terms(query)
        if not terms:
            return self
        qs = self
        for term in terms:
            provider_match = Provider.objects.filter(courses=OuterRef("pk"), name__icontains=term)
            audience_match = Audience.objects.filter(courses=OuterRef("pk"), name__icontains=term)
            qs = qs.filter(
                Q(title__icontains=term)
                | Q(summary__icontains=term)
                | Q(description__icontains=term)
                | Q(audience_text__icontains=term)
                | Exists(provider_match)
                | Exists(audience_match)
            )
        return qs

    def with_next_session(self, now: datetime.datetime | None = None) -> CourseQuerySet:
        """Annotate next_session_at: the start of the first session still open to enrol."""
        from trainings.models import Session

        next_open = (
            Session.objects.open_for_registration(now)
            .filter(course=OuterRef("pk"))
            .order_by("starts_at")
            .values("starts_at")[:1]
        )
        return self.annotate(next_session_at=Subquery(next_open))

    def for_listing(self, now: datetime.datetime | None = None) -> CourseQuerySet:
        """Everything a course card shows: theme, formats, providers, prices, next session."""
        from trainings.models import Format, Price, Provider

        return (
            self.select_related("theme")
            .prefetch_related(
                Prefetch("formats", queryset=Format.objects.only("name", "slug", "position")),
                Prefetch("providers", queryset=Provider.objects.only("name", "slug")),
                Prefetch("prices", queryset=Price.objects.order_by("position", "pk")),
            )
            .with_next_session(now)
        )
