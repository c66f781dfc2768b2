"""How a query matches a course: the words of the query, without accents, lightly stemmed.

Each word of a query must occur, as people type it: accents and capitals do not matter, a
word may stand inside a compound ("bewustzijn" finds "privacybewustzijn"), and a light Dutch
stemmer reduces it to the part its forms share ("didactiek" and "didactische" both become
"didact", "bibliotheken" finds "bibliotheek"). PostgreSQL also ranks by the stored text-search
vector; SQLite ranks title matches first.

Per language (PostgreSQL): a course has a stored vector per site language, each in that
language's configuration (Dutch, French, English stemming, accents ignored) and made from that
language's texts with the Dutch text where one is missing. A query matches the vector in the
visitor's language or the Dutch one, and ranks the visitor's language first.

This module reads no models (CourseQuerySet.search calls it); trainings.search keeps the
stored search data up to date and makes suggestions.
"""

from __future__ import annotations

import re
import unicodedata
from functools import reduce
from operator import add, and_

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
from django.db.models.functions import Coalesce, Lower
from django.utils.translation import get_language

from trainings.localised import localised_field

# The text-search configuration of each site language (made by migrations 0003 and 0013);
# Dutch is the default and the fallback.
CONFIGS = {"nl": "tc_dutch", "fr": "tc_french", "en": "tc_english"}
DEFAULT_LANGUAGE = "nl"
# How much more a match in the visitor's language counts than one in the Dutch text.
VISITOR_LANGUAGE_WEIGHT = 2.0
WORD = re.compile(r"\w+")
MAX_TERMS = 8


def normalise(text: str) -> str:
    """Lower case without accents: 'Coördinatoren' -> 'coordinatoren'."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def terms(query: str) -> list[str]:
    """The words of a query, normalised; punctuation and one-letter words are dropped."""
    words = [normalise(word) for word in WORD.findall(query or "")]
    return [word for word in words if len(word) > 1 or word.isdigit()][:MAX_TERMS]


# Dutch endings, longest first, that a stem drops. Only words of STEM_MIN_WORD letters or
# more are stemmed, and a stem keeps at least STEM_MIN letters, so short words stay as typed.
STEM_SUFFIXES = ("heden", "ische", "ieken", "heid", "isch", "iek", "en", "es", "e", "s")
STEM_MIN_WORD = 6
STEM_MIN = 5
VOWELS = set("aeiouy")


def stem(word: str) -> str:
    """The part of a normalised word that its Dutch forms share, to match as a substring.

    'didactiek' and 'didactische' -> 'didact'; 'bibliotheken' -> 'bibliothe' (which
    'bibliotheek' contains: a long vowel is written single before -en); 'gesprekken' ->
    'gesprek'; 'mediawijsheid' -> 'mediawijs'. Not a full stemmer: it only has to give a
    prefix short enough to cover the forms and long enough to mean the same word.
    """
    if len(word) < STEM_MIN_WORD or not word.isalpha():
        return word
    for suffix in STEM_SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= STEM_MIN:
            base = word[: -len(suffix)]
            if suffix[0] in VOWELS:
                if base[-1] == base[-2] and base[-1] not in VOWELS:
                    base = base[:-1]  # gesprekk(en) -> gesprek
                elif base[-1] not in VOWELS and base[-2] in VOWELS and len(base) > STEM_MIN:
                    base = base[:-1]  # bibliothek(en) -> bibliothe, matching bibliotheek
            return base
    return word


def uses_postgres() -> bool:
    return connection.vendor == "postgresql"


def search_language(language: str | None = None) -> str:
    """The site language whose text a search reads first: the active one ("fr-be" -> "fr"),
    Dutch when it has no text-search configuration."""
    code = (language or get_language() or DEFAULT_LANGUAGE).split("-")[0].lower()
    return code if code in CONFIGS else DEFAULT_LANGUAGE


def vector_field(language: str) -> str:
    """The course's stored text-search vector for a language."""
    return f"search_vector_{language}"


def tsquery_text(words: list[str], language: str) -> str:
    """Every word as a prefix, for the language's configuration. Dutch words also try the
    light stem, which Dutch stemming alone does not always reach ("bibliotheken")."""
    parts = []
    for word in words:
        forms = dict.fromkeys([word, stem(word)] if language == DEFAULT_LANGUAGE else [word])
        parts.append("(" + " | ".join(f"{form}:*" for form in forms) + ")")
    return " & ".join(parts)


def text_search_query(words: list[str], language: str) -> SearchQuery:
    return SearchQuery(tsquery_text(words, language), search_type="raw", config=CONFIGS[language])


def search(queryset: QuerySet, query: str) -> QuerySet:
    """Courses matching every word of the query, annotated with rank (higher is better)."""
    words = terms(query)
    if not words:  # only punctuation or single letters: nothing to look for, nothing to rank
        return queryset.annotate(rank=Value(0.0, output_field=FloatField()))
    in_text = reduce(and_, (Q(search_text__contains=stem(word)) for word in words))
    if uses_postgres():
        # Dutch stemming finds "trainingsacteur" for "trainingsacteurs"; the stored text
        # finds a word inside a compound. Cover density ranks by how close the words stand:
        # a title that holds the whole query beats a long description that mentions each
        # word often.
        dutch = text_search_query(words, DEFAULT_LANGUAGE)
        dutch_rank = SearchRank(F(vector_field(DEFAULT_LANGUAGE)), dutch, cover_density=True)
        language = search_language()
        if language == DEFAULT_LANGUAGE:
            return queryset.filter(Q(**{vector_field(language): dutch}) | in_text).annotate(
                rank=dutch_rank
            )
        # Another language: its own text first, the Dutch text (what a page falls back to,
        # and what people may type anyway) as well; both ranks count, the visitor's more.
        own = text_search_query(words, language)
        own_rank = SearchRank(F(vector_field(language)), own, cover_density=True)
        zero = Value(0.0, output_field=FloatField())
        matches = Q(**{vector_field(language): own}) | Q(**{vector_field(DEFAULT_LANGUAGE): dutch})
        return queryset.filter(matches | in_text).annotate(
            rank=ExpressionWrapper(
                Value(VISITOR_LANGUAGE_WEIGHT) * Coalesce(own_rank, zero)
                + Coalesce(dutch_rank, zero),
                output_field=FloatField(),
            )
        )
    queryset = queryset.filter(in_text)
    title_hits = [
        Case(
            When(title_lower__contains=stem(word), then=Value(1)),
            default=Value(0),
            output_field=IntegerField(),
        )
        for word in words
    ]
    # The title as the visitor reads it: their language, else Dutch.
    return queryset.alias(title_lower=Lower(localised_field("title"))).annotate(
        rank=ExpressionWrapper(reduce(add, title_hits), output_field=FloatField())
    )


def postgres_search_sql(ops, table: str, words: list[str], language: str, ranked: bool):
    """(sql, params): the id, and the rank when `ranked`, of the published courses matching
    the words on PostgreSQL (`ops`: the connection's operations): the same conditions and
    rank as search() builds with the ORM (tests/trainings/test_search_ranks.py compares
    them), written out once rather than built and compiled for every search (about 1.5 ms).
    `words` come from terms()."""
    quote = ops.quote_name
    text = f"{quote(table)}.{quote('search_text')}::text LIKE %s"
    in_text = " AND ".join([text] * len(words))
    like = [f"%{ops.prep_for_like_query(stem(word))}%" for word in words]

    def vector(code: str) -> str:
        return f"{quote(table)}.{quote(vector_field(code))}"

    def tsquery(code: str) -> tuple[str, list]:
        return "to_tsquery(%s::regconfig, %s)", [CONFIGS[code], tsquery_text(words, code)]

    dutch, dutch_params = tsquery(DEFAULT_LANGUAGE)
    dutch_rank = f"ts_rank_cd({vector(DEFAULT_LANGUAGE)}, {dutch})"
    if language == DEFAULT_LANGUAGE:
        matches = f"{vector(language)} @@ ({dutch}) OR ({in_text})"
        match_params = [*dutch_params, *like]
        rank, rank_params = dutch_rank, dutch_params
    else:
        own, own_params = tsquery(language)
        matches = (
            f"{vector(language)} @@ ({own}) OR {vector(DEFAULT_LANGUAGE)} @@ ({dutch}) "
            f"OR ({in_text})"
        )
        match_params = [*own_params, *dutch_params, *like]
        rank = (
            f"((%s * COALESCE(ts_rank_cd({vector(language)}, {own}), %s)) "
            f"+ COALESCE({dutch_rank}, %s))"
        )
        rank_params = [VISITOR_LANGUAGE_WEIGHT, *own_params, 0.0, *dutch_params, 0.0]
    columns = f"{quote(table)}.{quote('id')}"
    params = []
    if ranked:
        columns += f", {rank}"
        params += rank_params
    sql = (
        f"SELECT {columns} FROM {quote(table)} "
        f"WHERE {quote(table)}.{quote('is_published')} AND ({matches})"
    )
    return sql, [*params, *match_params]
