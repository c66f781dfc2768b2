"""Searching the catalogue: the stored search data, suggestions, and the other results.

A course is searched in its title, summary, providers, audiences, theme, formats and every
text section (description, objectives, methods, content, practical information, the label of
its external link). How a query matches that text (Course.objects.search()) is in
trainings.matching, which reads no models; this module builds on the models.

PostgreSQL: additionally a stored, GIN-indexed text-search vector per course and site
language ranks the results: tc_dutch, tc_french, tc_english (that language's stemming, accents
ignored), each made from that language's texts with the Dutch text where a translation is
missing, with prefix matching so "mediawijs" finds "Mediawijsheid". A search reads the
visitor's language first and Dutch as the fallback (trainings.matching). When nothing matches,
pg_trgm similarity on the catalogue's words of the visitor's language and Dutch offers a
"bedoelde je …" suggestion.

SQLite: the same matching on the stored text (every language, without accents); title matches
rank first, and suggestions come from difflib.

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
from django.utils import translation
from django.utils.translation import gettext as _
from modeltranslation.utils import build_localized_fieldname

from trainings.localised import (
    all_translations,
    localised_field,
    plain,
    translated_columns,
    translated_fields,
)
from trainings.matching import (
    CONFIGS,
    DEFAULT_LANGUAGE,
    MAX_TERMS,
    WORD,
    normalise,
    search_language,
    stem,
    terms,
    uses_postgres,
    vector_field,
)
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


def search_other(query: str, limit: int = 8, candidates: list | None = None) -> list[OtherResult]:
    """Published learning paths, competency profiles and resources matching every word of
    the query, title matches first; one query (none with `candidates`, what
    other_candidates() gave in the same language). These are a few dozen rows written by the
    advisers, so they are matched here rather than kept in a search index."""
    words = [stem(word) for word in terms(query)]
    if not words:
        return []
    if candidates is None:
        candidates = other_candidates()
    found = []
    for haystack, title, result in candidates:
        if all(word in haystack for word in words):
            in_title = sum(word in title for word in words)
            found.append((-in_title, title, result))
    found.sort(key=lambda item: item[:2])
    return [result for *_key, result in found[:limit]]


def other_candidates() -> list[tuple[str, str, OtherResult]]:
    """Every published learning path, competency profile and resource as search_other()
    matches it in the active language: (its searched text normalised, its title normalised,
    the result shown); one query."""
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
        found.append((haystack, normalise(title), OtherResult(label, title, summary, url)))
    return found


def suggest(query: str, language: str | None = None) -> str | None:
    """A corrected query when some of its words do not occur in the catalogue, else None.

    Words are looked up in the visitor's language (the active one unless given) and in Dutch,
    which every page falls back to; a correction comes from the visitor's language first.
    """
    language = search_language(language)
    languages = list(dict.fromkeys([language, DEFAULT_LANGUAGE]))
    original = WORD.findall(query or "")[:MAX_TERMS]
    keys = [normalise(word) for word in original]
    checkable = [key for key in keys if len(key) >= MIN_VOCABULARY_LENGTH]
    if not checkable:
        return None
    words = SearchWord.objects.filter(language__in=languages)
    known_words = set(
        words.filter(reduce(or_, (Q(word__startswith=k) for k in checkable))).values_list(
            "word", flat=True
        )[:5000]
    )
    unknown = [k for k in checkable if not any(w.startswith(k) for w in known_words)]
    if not unknown:
        return None
    if uses_postgres():
        condition = reduce(or_, (Q(word__trigram_similar=k) for k in unknown))
    else:
        condition = reduce(or_, (Q(word__startswith=k[0]) for k in unknown))
    candidates: dict[str, dict[str, str]] = {code: {} for code in languages}
    for code, word, display in words.filter(condition).values_list("language", "word", "display")[
        :5000
    ]:
        candidates[code][word] = display
    corrected, changed = [], False
    for word, key in zip(original, keys, strict=True):
        if key in unknown:
            for code in languages:
                match = difflib.get_close_matches(key, candidates[code], n=1, cutoff=0.75)
                if match:
                    corrected.append(candidates[code][match[0]])
                    changed = True
                    break
            else:
                corrected.append(word)
            continue
        corrected.append(word)
    return " ".join(corrected) if changed else None


# The texts of a course as refresh() reads them, in weight order (see _vector_sql).
COURSE_TEXTS = (
    "title",
    "summary",
    "description",
    "audience_text",
    "objectives",
    "methods",
    "content",
    "practical_info",
    "external_url_label",
)


def _vector_sql(where: str) -> str:
    """One UPDATE that sets every language's vector: that language's texts in its own
    configuration, the Dutch text where a translation is missing."""
    course = Course._meta.db_table
    providers = Course.providers.through._meta.db_table
    audiences = Course.audiences.through._meta.db_table
    formats = Course.formats.through._meta.db_table
    provider, audience = Provider._meta.db_table, Audience._meta.db_table
    format_, theme = Format._meta.db_table, Theme._meta.db_table
    translated = translated_fields(Course)

    def column(field: str, language: str) -> str:
        """The course's text in the language, else Dutch, else empty."""
        if field not in translated:
            return f"coalesce(c.{field}, '')"
        columns = [
            f"nullif(c.{build_localized_fieldname(field, code)}, '')"
            for code in dict.fromkeys([language, DEFAULT_LANGUAGE])
        ]
        return f"coalesce({', '.join(columns)}, '')"

    def names(alias: str, language: str) -> str:
        if language == DEFAULT_LANGUAGE:
            # Every language's name in the Dutch vector: English words find a course too.
            return "concat_ws(' ', " + ", ".join(f"{alias}.{c}" for c in translated_columns()) + ")"
        columns = [
            f"nullif({alias}.{build_localized_fieldname('name', code)}, '')"
            for code in dict.fromkeys([language, DEFAULT_LANGUAGE])
        ]
        return f"coalesce({', '.join(columns)}, {alias}.name)"

    def vector(language: str) -> str:
        config = CONFIGS[language]
        title, summary, description, audience_text, *rest = (
            column(field, language) for field in COURSE_TEXTS
        )
        return f"""
            setweight(to_tsvector('{config}', {title}), 'A')
            || setweight(to_tsvector('{config}', {summary}), 'B')
            || setweight(to_tsvector('{config}', coalesce((
                SELECT string_agg(p.name, ' ' ORDER BY p.name, p.id) FROM {provider} p
                JOIN {providers} cp ON cp.provider_id = p.id WHERE cp.course_id = c.id), '')), 'B')
            || setweight(to_tsvector('{config}', coalesce((
                SELECT string_agg({names("a", language)}, ' ' ORDER BY a.name, a.id)
                FROM {audience} a JOIN {audiences} ca ON ca.audience_id = a.id
                WHERE ca.course_id = c.id), '')), 'B')
            || setweight(to_tsvector('{config}', coalesce((
                SELECT {names("t", language)} FROM {theme} t WHERE t.id = c.theme_id), '')), 'B')
            || setweight(to_tsvector('{config}', coalesce((
                SELECT string_agg({names("f", language)}, ' ' ORDER BY f.name, f.id)
                FROM {format_} f JOIN {formats} cf ON cf.format_id = f.id
                WHERE cf.course_id = c.id), '')), 'B')
            || setweight(to_tsvector('{config}', {description} || ' ' || {audience_text}), 'C')
            || setweight(to_tsvector('{config}', concat_ws(' ', {", ".join(rest)})), 'D')"""

    assignments = ",".join(f"\n{vector_field(code)} = {vector(code)}" for code in CONFIGS)
    return f"UPDATE {course} AS c SET {assignments}\n{where}"


def _course_texts(course: Course, language: str) -> list[str]:
    """The course's texts and its taxonomy's names as a visitor in `language` reads them
    (Dutch where a translation is missing). The Dutch list has every language's names, as
    the Dutch vector does."""
    with translation.override(language):
        texts = [getattr(course, field) or "" for field in COURSE_TEXTS]
        names = [p.name for p in course.providers.all()]
        for item in [*course.audiences.all(), *course.formats.all(), course.theme]:
            if item is not None:
                names += all_translations(item) if language == DEFAULT_LANGUAGE else [item.name]
    return texts + names


def refresh(course_ids: Iterable[int] | None = None, batch_size: int = 500) -> int:
    """Recompute the search data of these courses (all when None); returns how many."""
    courses = Course.objects.select_related("theme").prefetch_related(
        "providers", "audiences", "formats"
    )
    ids = None if course_ids is None else list(course_ids)
    if ids is not None:
        courses = courses.filter(pk__in=ids)
    changed: list[Course] = []
    vocabulary: dict[tuple[str, str], str] = {}
    keys: dict[str, str] = {}
    count = 0
    for course in courses.order_by("pk").iterator(chunk_size=batch_size):
        every_text: dict[str, None] = {}
        for language in CONFIGS:
            texts = _course_texts(course, language)
            every_text.update(dict.fromkeys(texts))
            for word in dict.fromkeys(WORD.findall(" ".join(texts))):
                if word not in keys:  # most texts fall back to Dutch: the same words again
                    keys[word] = normalise(word)
                key = keys[word]
                if len(key) < MIN_VOCABULARY_LENGTH or key.isdigit():
                    continue
                # Suggestions look in Dutch too: another language keeps only its own words.
                if language == DEFAULT_LANGUAGE or (DEFAULT_LANGUAGE, key[:100]) not in vocabulary:
                    vocabulary.setdefault((language, key[:100]), word.lower()[:100])
        # Every language's text: a French or English word finds the course on SQLite too.
        course.search_text = normalise(" ".join(every_text))
        changed.append(course)
        if len(changed) >= batch_size:
            Course.objects.bulk_update(changed, ["search_text"])
            count += len(changed)
            changed = []
    if changed:
        Course.objects.bulk_update(changed, ["search_text"])
        count += len(changed)
    SearchWord.objects.bulk_create(
        [
            SearchWord(language=language, word=key, display=display)
            for (language, key), display in vocabulary.items()
        ],
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
