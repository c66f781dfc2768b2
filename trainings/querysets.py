"""Reads over many courses and sessions. Views, admin and templates call these."""

from __future__ import annotations

import datetime
import functools
from dataclasses import dataclass, field

from django.db import connections, models, transaction
from django.db.models import Count, F, OuterRef, Prefetch, Subquery, Value
from django.db.models.functions import Coalesce
from django.db.transaction import TransactionManagementError
from django.utils import timezone

from trainings.localised import localised_field
from trainings.matching import postgres_search_sql, search, search_language, terms
from trainings.precompiled import Precompiled


def related_model(model, name: str):
    """The model at the other end of `name`: querysets reach their neighbours through the
    relations, so trainings.models imports this module and not the other way round."""
    return model._meta.get_field(name).related_model


class SessionQuerySet(models.QuerySet):
    def upcoming(self, now: datetime.datetime | None = None) -> SessionQuerySet:
        """Sessions that have not started yet."""
        return self.filter(starts_at__gt=now or timezone.now())

    def past(self, now: datetime.datetime | None = None) -> SessionQuerySet:
        return self.filter(starts_at__lte=now or timezone.now())

    def lock(self, pk: int, only: tuple[str, ...] = ()):
        """The session row, locked until the surrounding transaction ends (PostgreSQL: SELECT
        … FOR UPDATE; SQLite: the IMMEDIATE transaction holds the write lock). Every write
        that takes or frees a place, marks attendance or settles costs takes it first.

        With its course, provider, location and organiser; `only` (names as for
        QuerySet.only, e.g. "course__slug") reads just those columns and the relations they
        name, for a hot path that knows what it reads.

        Refuses to run outside transaction.atomic(): a lock released at once protects
        nothing (as pretix's lock_objects)."""
        if not transaction.get_connection(self.db).in_atomic_block:
            raise TransactionManagementError(
                "Session.objects.lock() must run inside transaction.atomic()."
            )
        if only and not self.query.has_filters():
            # A hot path (an enrolment): the same statement every time, compiled once.
            locked = _precompiled_lock(self.model, tuple(only)).first(using=self.db, pk=pk)
            if locked is None:
                raise self.model.DoesNotExist
            return locked
        locked = self.select_for_update(of=("self",))
        if only:
            locked = _lock_reading(locked, only)
        else:
            locked = locked.select_related("course__contact_provider", "location", "organiser")
        return locked.get(pk=pk)

    def not_cancelled(self) -> SessionQuerySet:
        """Sessions that are scheduled or confirmed."""
        return self.exclude(status=self.model.Status.CANCELLED)

    def alias_closes_at(self) -> SessionQuerySet:
        """Make closes_at available to filters: the deadline, or else the start."""
        return self.alias(closes_at=Coalesce("registration_deadline", "starts_at"))

    def open_for_registration(self, now: datetime.datetime | None = None) -> SessionQuerySet:
        """Sessions a person can still enrol in (possibly on the waiting list)."""
        now = now or timezone.now()
        return self.upcoming(now).not_cancelled().alias_closes_at().filter(closes_at__gt=now)

    def public(self) -> SessionQuerySet:
        return self.filter(course__is_published=True)

    def with_counts(self) -> SessionQuerySet:
        """Annotate registered_count and waitlisted_count in the same query.

        Correlated subqueries rather than a join with GROUP BY: the database then counts only
        for the rows it returns (six on the home page), not for every session it considers.
        """
        # The enrolment model (and its statuses), reached through the relation: enrolments
        # build on trainings, not the other way round.
        Enrolment = related_model(self.model, "enrolments")

        def count(status: str):
            return Coalesce(
                Subquery(
                    Enrolment.objects.filter(session=OuterRef("pk"), status=status)
                    .order_by()
                    .values("session")
                    .annotate(n=Count("pk"))
                    .values("n")
                ),
                0,
            )

        return self.annotate(
            registered_count=count(Enrolment.Status.REGISTERED),
            waitlisted_count=count(Enrolment.Status.WAITLISTED),
        )

    def for_listing(self) -> SessionQuerySet:
        """Everything a session row on a public page shows, without a query per row."""
        SessionDay = related_model(self.model, "days")
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
        """Courses matching the query, annotated with rank; see trainings.matching."""
        return search(self, query)

    def published_search_ranks(self, query: str, ranked: bool = True) -> dict[int, float]:
        """{id: rank} of the published courses matching the query, as
        published().search(query) gives them (rank 0.0 when not `ranked`: cheaper). On
        PostgreSQL from SQL written once (matching.postgres_search_sql)."""
        words = terms(query)
        if not words:
            return {}
        connection = connections[self.db]
        if connection.vendor == "postgresql":
            table = self.model._meta.db_table
            sql, params = postgres_search_sql(
                connection.ops, table, words, search_language(), ranked
            )
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                rows = cursor.fetchall()
            if ranked:
                return dict(rows)
            return dict.fromkeys((row[0] for row in rows), 0.0)
        matches = self.published().search(query).order_by()
        if ranked:
            return dict(matches.values_list("pk", "rank"))
        return dict.fromkeys(matches.values_list("pk", flat=True), 0.0)

    def with_next_session(self, now: datetime.datetime | None = None) -> CourseQuerySet:
        """Annotate next_session_at: the start of the first session still open to enrol."""
        Session = related_model(self.model, "sessions")
        next_open = (
            Session.objects.open_for_registration(now)
            .filter(course=OuterRef("pk"))
            .order_by("starts_at")
            .values("starts_at")[:1]
        )
        return self.annotate(next_session_at=Subquery(next_open))

    def for_listing(self, now: datetime.datetime | None = None) -> CourseQuerySet:
        """Theme, prices and next session of each course; add labels with attach_labels()."""
        Price = related_model(self.model, "prices")
        return (
            self.select_related("theme")
            .prefetch_related(Prefetch("prices", queryset=Price.objects.order_by("position", "pk")))
            .with_next_session(now)
        )


@dataclass(frozen=True)
class Label:
    """A provider, format or audience as shown next to a course."""

    name: str
    slug: str


@dataclass
class CourseLabels:
    providers: list[Label] = field(default_factory=list)
    formats: list[Label] = field(default_factory=list)
    audiences: list[Label] = field(default_factory=list)


LABEL_KINDS = ("providers", "formats", "audiences")


def attach_labels(courses, kinds: tuple[str, ...] = LABEL_KINDS) -> list:
    """Set course.labels (providers, formats, audiences) for all courses in one query.

    Three small many-to-many lookups would cost three prefetch queries per page; a UNION
    of the link tables costs one.
    """
    courses = list(courses)
    for course in courses:
        course.labels = CourseLabels()
    if not courses:
        return courses
    ids = [course.pk for course in courses]
    parts = []
    for kind in kinds:
        target = {"providers": "provider", "formats": "format", "audiences": "audience"}[kind]
        order = F(f"{target}__position") if kind == "formats" else Value(0)
        # Formats and audiences have a name per language; providers are proper names.
        name = (
            F(f"{target}__name") if kind == "providers" else localised_field(prefix=f"{target}__")
        )
        link = courses[0]._meta.get_field(kind).remote_field.through
        parts.append(
            link.objects.filter(course_id__in=ids)
            .order_by()
            .values_list("course_id", Value(kind), name, f"{target}__slug", order)
        )
    rows = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
    by_id = {course.pk: course for course in courses}
    for course_id, kind, name, slug, _position in sorted(
        rows, key=lambda row: (row[4], row[2].lower())
    ):
        getattr(by_id[course_id].labels, kind).append(Label(name, slug))
    return courses


def _lock_reading(queryset, only: tuple[str, ...]):
    """The columns `only` names, and the relations they reach through (course__slug)."""
    relations = {name.rsplit("__", 1)[0] for name in only if "__" in name}
    return queryset.select_related(*relations).only(*only)


@functools.cache
def _precompiled_lock(model, only: tuple[str, ...]) -> Precompiled:
    return Precompiled(
        lambda pk: (
            _lock_reading(model._default_manager.select_for_update(of=("self",)), only)
            .filter(pk=pk)
            .order_by()
        )
    )
