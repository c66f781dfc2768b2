"""Searching the catalogue.

PostgreSQL: a stored, GIN-indexed text-search vector per course (title, summary, providers,
audiences, description) in the tc_dutch configuration (Dutch stemming, accents ignored),
ranked, with prefix matching so "mediawijs" finds "Mediawijsheid"; when nothing matches,
pg_trgm similarity on the catalogue's words offers a "bedoelde je …" suggestion.

SQLite: the same interface on a stored text without accents: every word must occur, title
matches rank first, and suggestions come from difflib.

refresh() keeps both up to date; the admin calls it when a course or its providers,
audiences or theme change, and `manage.py update_search_index` rebuilds everything.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable
from functools import reduce
from operator import add, or_

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db import connection
from django.db.models import (
    Case,
    ExpressionWrapper,
    F,
    FloatField,
    IntegerField,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Lower

from trainings.signals import offer_changed

CONFIG = "tc_dutch"
WORD = re.compile(r"\w+")
MAX_TERMS = 8
MIN_VOCABULARY_LENGTH = 4


def normalise(text: str) -> str:
    """Lower case without accents: 'Coördinatoren' -> 'coordinatoren'."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def terms(query: str) -> list[str]:
    """The words of a query, normalised; punctuation and one-letter words are dropped."""
    words = [normalise(word) for word in WORD.findall(query or "")]
    return [word for word in words if len(word) > 1 or word.isdigit()][:MAX_TERMS]


def uses_postgres() -> bool:
    return connection.vendor == "postgresql"


def search(queryset: QuerySet, query: str) -> QuerySet:
    """Courses matching every word of the query, annotated with rank (higher is better)."""
    words = terms(query)
    if not words:  # only punctuation or single letters: nothing to look for, nothing to rank
        return queryset.annotate(rank=Value(0.0, output_field=FloatField()))
    if uses_postgres():
        tsquery = SearchQuery(
            " & ".join(f"{word}:*" for word in words), search_type="raw", config=CONFIG
        )
        # Cover density ranks by how close the words stand: a title that holds the whole
        # query beats a long description that mentions each word often.
        return queryset.filter(search_vector=tsquery).annotate(
            rank=SearchRank(F("search_vector"), tsquery, cover_density=True)
        )
    for word in words:
        queryset = queryset.filter(search_text__contains=word)
    title_hits = [
        Case(
            When(title_lower__contains=word, then=Value(1)),
            default=Value(0),
            output_field=IntegerField(),
        )
        for word in words
    ]
    return queryset.alias(title_lower=Lower("title")).annotate(
        rank=ExpressionWrapper(reduce(add, title_hits), output_field=FloatField())
    )


def suggest(query: str) -> str | None:
    """A corrected query when some of its words do not occur in the catalogue, else None."""
    from trainings.models import SearchWord

    original = WORD.findall(query or "")[:MAX_TERMS]
    keys = [normalise(word) for word in original]
    checkable = [key for key in keys if len(key) >= MIN_VOCABULARY_LENGTH]
    if not checkable:
        return None
    known_words = set(
        SearchWord.objects.filter(
            reduce(or_, (Q(word__startswith=k) for k in checkable))
        ).values_list("word", flat=True)[:5000]
    )
    unknown = [k for k in checkable if not any(w.startswith(k) for w in known_words)]
    if not unknown:
        return None
    if uses_postgres():
        condition = reduce(or_, (Q(word__trigram_similar=k) for k in unknown))
    else:
        condition = reduce(or_, (Q(word__startswith=k[0]) for k in unknown))
    candidates = dict(SearchWord.objects.filter(condition).values_list("word", "display")[:5000])
    corrected, changed = [], False
    for word, key in zip(original, keys, strict=True):
        if key in unknown:
            match = difflib.get_close_matches(key, candidates, n=1, cutoff=0.75)
            if match:
                corrected.append(candidates[match[0]])
                changed = True
                continue
        corrected.append(word)
    return " ".join(corrected) if changed else None


def _vector_sql(where: str) -> str:
    from trainings.models import Audience, Course, Provider, Theme

    course = Course._meta.db_table
    providers = Course.providers.through._meta.db_table
    audiences = Course.audiences.through._meta.db_table
    provider, audience = Provider._meta.db_table, Audience._meta.db_table
    return f"""
        UPDATE {course} AS c SET search_vector =
            setweight(to_tsvector('{CONFIG}', coalesce(c.title, '')), 'A')
            || setweight(to_tsvector('{CONFIG}', coalesce(c.summary, '')), 'B')
            || setweight(to_tsvector('{CONFIG}', coalesce((
                SELECT string_agg(p.name, ' ' ORDER BY p.name, p.id) FROM {provider} p
                JOIN {providers} cp ON cp.provider_id = p.id WHERE cp.course_id = c.id), '')), 'B')
            || setweight(to_tsvector('{CONFIG}', coalesce((
                SELECT string_agg(a.name, ' ' ORDER BY a.name, a.id) FROM {audience} a
                JOIN {audiences} ca ON ca.audience_id = a.id WHERE ca.course_id = c.id), '')), 'B')
            || setweight(to_tsvector('{CONFIG}', coalesce((
                SELECT t.name FROM {Theme._meta.db_table} t WHERE t.id = c.theme_id), '')), 'B')
            || setweight(to_tsvector('{CONFIG}',
                coalesce(c.description, '') || ' ' || coalesce(c.audience_text, '')), 'C')
        {where}
    """


def refresh(course_ids: Iterable[int] | None = None, batch_size: int = 500) -> int:
    """Recompute the search data of these courses (all when None); returns how many."""
    from trainings.models import Course, SearchWord

    courses = Course.objects.select_related("theme").prefetch_related("providers", "audiences")
    ids = None if course_ids is None else list(course_ids)
    if ids is not None:
        courses = courses.filter(pk__in=ids)
    changed: list[Course] = []
    vocabulary: dict[str, str] = {}
    count = 0
    for course in courses.order_by("pk").iterator(chunk_size=batch_size):
        names = [p.name for p in course.providers.all()] + [a.name for a in course.audiences.all()]
        if course.theme:
            names.append(course.theme.name)
        course.search_text = normalise(
            " ".join(
                [course.title, course.summary, course.description, course.audience_text, *names]
            )
        )
        changed.append(course)
        for word in WORD.findall(
            " ".join([course.title, course.summary, course.description, *names])
        ):
            key = normalise(word)
            if len(key) >= MIN_VOCABULARY_LENGTH and not key.isdigit():
                vocabulary.setdefault(key, word.lower()[:100])
        if len(changed) >= batch_size:
            Course.objects.bulk_update(changed, ["search_text"])
            count += len(changed)
            changed = []
    if changed:
        Course.objects.bulk_update(changed, ["search_text"])
        count += len(changed)
    SearchWord.objects.bulk_create(
        [SearchWord(word=key[:100], display=display) for key, display in vocabulary.items()],
        ignore_conflicts=True,
        batch_size=1000,
    )
    if uses_postgres():
        with connection.cursor() as cursor:
            if ids is None:
                cursor.execute(_vector_sql(""))
            elif ids:
                cursor.execute(_vector_sql("WHERE c.id = ANY(%s)"), [ids])
    offer_changed.send(sender=Course)  # search results may differ now
    return count
