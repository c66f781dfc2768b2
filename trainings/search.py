"""Searching the catalogue: the stored search data, suggestions, and the other results.

A course is searched in its title, summary, providers, audiences, theme, formats and every
text section (description, objectives, methods, content, practical information, the label of
its external link). How a query matches that text (Course.objects.search()) is in
trainings.matching, which reads no models; this module builds on the models.

PostgreSQL: additionally a stored, GIN-indexed text-search vector per course in the tc_dutch
configuration (Dutch stemming, accents ignored) ranks the results, with prefix matching so
"mediawijs" finds "Mediawijsheid"; when nothing matches, pg_trgm similarity on the
catalogue's words offers a "bedoelde je …" suggestion.

SQLite: the same matching on the stored text without accents; title matches rank first, and
suggestions come from difflib.

search_other() finds learning paths, competency profiles and resources for the same query,
so "onboarding", "profiel" or "toolkit" lead somewhere even when no course matches.

refresh() keeps both up to date; the admin calls it when a course or its providers,
audiences or theme change, and `manage.py update_search_index` rebuilds everything.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass
from functools import reduce
from operator import or_

from django.db import connection
from django.db.models import Case, CharField, Q, Value, When
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.translation import gettext as _

from trainings.localised import all_translations, localised_field, plain, translated_columns
from trainings.matching import CONFIG, MAX_TERMS, WORD, normalise, stem, terms, uses_postgres
from trainings.models import (
    Audience,
    Course,
    Format,
    LearningPath,
    Profile,
    Provider,
    Resource,
    SearchWord,
    Theme,
)
from trainings.signals import offer_changed

MIN_VOCABULARY_LENGTH = 4


@dataclass
class OtherResult:
    """A learning path, profile or resource that matches a search, with what kind it is."""

    kind: str
    title: str
    summary: str
    url: str


def search_other(query: str, limit: int = 8) -> list[OtherResult]:
    """Published learning paths, competency profiles and resources matching every word of
    the query, title matches first; one query. These are a few dozen rows written by the
    advisers, so they are matched here rather than kept in a search index."""
    words = [stem(word) for word in terms(query)]
    if not words:
        return []
    text = Value("", output_field=CharField())
    # Read in the visitor's language, Dutch where a text has no translation; plain() keeps
    # modeltranslation from adding columns to the values of a UNION.
    paths = (
        plain(LearningPath.objects.filter(is_published=True))
        .order_by()
        .values_list(
            Value("path", output_field=CharField()),
            "kind",
            localised_field("title"),
            localised_field("summary"),
            localised_field("description"),
            "slug",
            text,
        )
    )
    profiles = (
        plain(Profile.objects.all())
        .order_by()
        .values_list(
            Value("profile", output_field=CharField()),
            text,
            localised_field("name"),
            localised_field("summary"),
            localised_field("description"),
            "slug",
            text,
        )
    )
    resources = (
        plain(Resource.objects.filter(Q(course__is_published=True) | Q(profile__isnull=False)))
        .order_by()
        .annotate(
            owner_slug=Coalesce("course__slug", "profile__slug"),
            owner_title=Coalesce(
                localised_field("title", "course__"),
                localised_field("name", "profile__"),
            ),
        )
        .values_list(
            Value("resource", output_field=CharField()),
            Case(
                When(course__isnull=False, then=Value("course")),
                default=Value("profile"),
                output_field=CharField(),
            ),
            localised_field("title"),
            "owner_title",
            localised_field("description"),
            "owner_slug",
            "owner_title",
        )
    )
    kinds = dict(LearningPath.Kind.choices)
    found = []
    for source, kind, title, summary, description, slug, owner in paths.union(
        profiles, resources, all=True
    ):
        if source == "path":
            label = kinds.get(kind, _("Leerlijn"))
            url = reverse("catalogue:path-detail", kwargs={"slug": slug})
            searched = [title, summary, description, str(label), _("leerlijn")]
        elif source == "profile":
            label = _("Competentieprofiel")
            url = reverse("catalogue:profile-detail", kwargs={"slug": slug})
            searched = [title, summary, description, str(label)]
        else:
            label = _("Materiaal")
            name = "catalogue:course-detail" if kind == "course" else "catalogue:profile-detail"
            url = reverse(name, kwargs={"slug": slug}) + "#resources-title"
            summary = _("Bij: %(owner)s") % {"owner": owner}
            searched = [title, description, owner, str(label)]
        haystack = normalise(" ".join(str(part) for part in searched))
        if all(word in haystack for word in words):
            in_title = sum(word in normalise(title) for word in words)
            found.append((-in_title, normalise(title), OtherResult(label, title, summary, url)))
    found.sort(key=lambda item: item[:2])
    return [result for *_key, result in found[:limit]]


def suggest(query: str) -> str | None:
    """A corrected query when some of its words do not occur in the catalogue, else None."""
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
    course = Course._meta.db_table
    providers = Course.providers.through._meta.db_table
    audiences = Course.audiences.through._meta.db_table
    formats = Course.formats.through._meta.db_table
    provider, audience = Provider._meta.db_table, Audience._meta.db_table
    format_, theme = Format._meta.db_table, Theme._meta.db_table

    def names(alias: str) -> str:
        """Every language's name: English words find a course too."""
        return "concat_ws(' ', " + ", ".join(f"{alias}.{c}" for c in translated_columns()) + ")"

    return f"""
        UPDATE {course} AS c SET search_vector =
            setweight(to_tsvector('{CONFIG}', coalesce(c.title, '')), 'A')
            || setweight(to_tsvector('{CONFIG}', coalesce(c.summary, '')), 'B')
            || setweight(to_tsvector('{CONFIG}', coalesce((
                SELECT string_agg(p.name, ' ' ORDER BY p.name, p.id) FROM {provider} p
                JOIN {providers} cp ON cp.provider_id = p.id WHERE cp.course_id = c.id), '')), 'B')
            || setweight(to_tsvector('{CONFIG}', coalesce((
                SELECT string_agg({names("a")}, ' ' ORDER BY a.name, a.id) FROM {audience} a
                JOIN {audiences} ca ON ca.audience_id = a.id WHERE ca.course_id = c.id), '')), 'B')
            || setweight(to_tsvector('{CONFIG}', coalesce((
                SELECT {names("t")} FROM {theme} t WHERE t.id = c.theme_id), '')), 'B')
            || setweight(to_tsvector('{CONFIG}', coalesce((
                SELECT string_agg({names("f")}, ' ' ORDER BY f.name, f.id) FROM {format_} f
                JOIN {formats} cf ON cf.format_id = f.id WHERE cf.course_id = c.id), '')), 'B')
            || setweight(to_tsvector('{CONFIG}',
                coalesce(c.description, '') || ' ' || coalesce(c.audience_text, '')), 'C')
            || setweight(to_tsvector('{CONFIG}', concat_ws(' ', c.objectives, c.methods,
                c.content, c.practical_info, c.external_url_label)), 'D')
        {where}
    """


def refresh(course_ids: Iterable[int] | None = None, batch_size: int = 500) -> int:
    """Recompute the search data of these courses (all when None); returns how many."""
    courses = Course.objects.select_related("theme").prefetch_related(
        "providers", "audiences", "formats"
    )
    ids = None if course_ids is None else list(course_ids)
    if ids is not None:
        courses = courses.filter(pk__in=ids)
    changed: list[Course] = []
    vocabulary: dict[str, str] = {}
    count = 0
    for course in courses.order_by("pk").iterator(chunk_size=batch_size):
        # Every language's taxonomy names, whatever language is active now.
        names = [p.name for p in course.providers.all()]
        for item in [*course.audiences.all(), *course.formats.all(), course.theme]:
            if item is not None:
                names += all_translations(item)
        sections = [
            course.description,
            course.audience_text,
            course.objectives,
            course.methods,
            course.content,
            course.practical_info,
            course.external_url_label,
        ]
        course.search_text = normalise(" ".join([course.title, course.summary, *sections, *names]))
        changed.append(course)
        for word in WORD.findall(" ".join([course.title, course.summary, *sections, *names])):
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
