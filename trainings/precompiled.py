"""Querysets whose SQL Django builds once per process.

Django compiles a queryset to SQL on every run. For the course page's own query (its course
with theme, contact and whether it has a programme, materials and so on) compiling took
2.1 ms and running it 0.2 ms. A Precompiled query is compiled once per database, language (a
translated field can make the SQL differ per language) and set of value types, with
stand-in values; each run puts its own values in their places and reads
the rows as iterating the queryset does: model instances with their select_related rows
and annotations.

    COURSE = Precompiled(lambda pk: Course.objects.select_related("theme").filter(pk=pk))
    course = COURSE.first(pk=12)

What can vary between runs are the values passed in: integers and strings that reach the
SQL as one parameter each (an id, a slug), and tuples of integers (`pk__in=ids`: compiled
once per length, up to MAX_LIST; a longer one is run the usual way), not lists and not
values the query computes itself. A query built with anything else that changes (the
current time, say) would keep its first value: build such queries the usual way. Prefetches
are refused (set them with their own query).
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Callable
from dataclasses import dataclass

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import QuerySet
from django.utils import translation

# Stand-in values, unlikely to be anything a query holds of its own. The string holds the
# characters a LIKE pattern escapes, so a lookup that escapes its value (iexact on SQLite)
# changes it and is refused rather than bound unescaped.
_INT_MARKER = -7_340_000_000_000
_STR_MARKER = "\ufffcprecompiled%_\\{}\ufffc"
# The longest tuple compiled (one SQL per length, language and database); a longer one is run
# as a plain queryset.
MAX_LIST = 64


@dataclass(frozen=True)
class _Compiled:
    queryset: QuerySet
    compiler: object
    sql: str
    params: tuple
    places: tuple[tuple[int, str, int | None], ...]  # (index in params, name, index in tuple)


class Precompiled:
    def __init__(self, build: Callable[..., QuerySet]):
        self.build = build
        self._compiled: dict[tuple, _Compiled] = {}
        self._lock = threading.Lock()

    def all(self, using: str = DEFAULT_DB_ALIAS, **values) -> list:
        """The rows of the query built with these values."""
        if any(isinstance(value, tuple) and len(value) > MAX_LIST for value in values.values()):
            return list(self.build(**values).using(using))
        compiled = self._compiled_for(using, values)
        params = list(compiled.params)
        for at, name, index in compiled.places:
            params[at] = values[name] if index is None else values[name][index]
        compiler = copy.copy(compiled.compiler)
        compiler.connection = connections[using]  # this thread's connection
        compiler.as_sql = lambda *args, **kwargs: (compiled.sql, params)
        queryset = compiled.queryset._chain()
        queryset.query.get_compiler = lambda *args, **kwargs: compiler
        return list(queryset)

    def first(self, using: str = DEFAULT_DB_ALIAS, **values):
        """The first row, or None."""
        rows = self.all(using, **values)
        return rows[0] if rows else None

    def _compiled_for(self, using: str, values: dict) -> _Compiled:
        types = tuple(
            sorted(
                (name, type(value), len(value) if isinstance(value, tuple) else None)
                for name, value in values.items()
            )
        )
        key = (using, translation.get_language(), types)
        compiled = self._compiled.get(key)
        if compiled is None:
            with self._lock:
                compiled = self._compiled.get(key) or self._compile(using, values)
                self._compiled[key] = compiled
        return compiled

    def _compile(self, using: str, values: dict) -> _Compiled:
        markers = {}  # name → its stand-in
        stand_ins = {}  # stand-in → (name, index in its tuple or None)
        for number, (name, value) in enumerate(sorted(values.items())):
            if isinstance(value, tuple):
                if not value or not all(_is_int(item) for item in value):
                    raise TypeError(f"{name}: a tuple varies only as integers, not {value!r}")
                markers[name] = tuple(
                    _INT_MARKER - 1000 * (number + 1) - index for index in range(len(value))
                )
                stand_ins.update((marker, (name, i)) for i, marker in enumerate(markers[name]))
                continue
            if not (_is_int(value) or isinstance(value, str)):
                raise TypeError(f"{name}: only integers and strings can vary, not {value!r}")
            markers[name] = (
                _INT_MARKER - number if isinstance(value, int) else _STR_MARKER.format(number)
            )
            stand_ins[markers[name]] = (name, None)
        queryset = self.build(**markers).using(using)
        if queryset._prefetch_related_lookups:
            raise ValueError("a precompiled query runs no prefetches")
        compiler = queryset.query.get_compiler(using=using)
        sql, params = compiler.as_sql()
        places = tuple(
            (at, *stand_ins[param])
            for at, param in enumerate(params)
            if type(param) in (int, str) and param in stand_ins
        )
        found = {(name, index) for _at, name, index in places}
        missing = {name for name, index in stand_ins.values() if (name, index) not in found}
        if missing:
            # A value the SQL does not hold as it was given (part of a LIKE pattern, say).
            raise ValueError(f"not a parameter of the SQL as given: {', '.join(sorted(missing))}")
        return _Compiled(queryset, compiler, sql, tuple(params), places)


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def set_prefetched(instance, relation: str, rows: list) -> None:
    """Give `instance.<relation>.all()` these rows without a query, as a prefetch does."""
    prefetched = getattr(instance, relation).get_queryset()
    prefetched._result_cache, prefetched._prefetch_done = rows, True
    instance.__dict__.setdefault("_prefetched_objects_cache", {})[relation] = prefetched


def is_prefetched(instance, relation: str) -> bool:
    return relation in getattr(instance, "_prefetched_objects_cache", {})
