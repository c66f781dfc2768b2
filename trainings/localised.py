"""Taxonomy names in the active language, in SQL (values(), unions, search data).

Reading ``format.name`` on an instance already gives the active language (modeltranslation's
descriptor); these helpers are for queries that read the columns themselves.
"""

from django.db.models import CharField, F, QuerySet, Value
from django.db.models.expressions import Combinable
from django.db.models.functions import Coalesce, NullIf
from modeltranslation import settings as mt_settings
from modeltranslation.utils import build_localized_fieldname, get_language, resolution_order


def localised_field(field: str = "name", prefix: str = "") -> Combinable:
    """The column of `field` in the active language, else its fallbacks (Dutch), else the
    untranslated column. `prefix` is a relation path such as "format__"."""
    columns = [
        NullIf(
            F(f"{prefix}{build_localized_fieldname(field, lang)}"),
            Value(""),
            output_field=CharField(),
        )
        for lang in resolution_order(get_language())
    ]
    return Coalesce(*columns, F(f"{prefix}{field}"), output_field=CharField())


def plain(queryset: QuerySet) -> QuerySet:
    """The queryset without modeltranslation's rewriting, whose values() adds every field when
    given only expressions (a UNION then gets columns that do not line up)."""
    return queryset.rewrite(False) if hasattr(queryset, "rewrite") else queryset


def translated_columns(field: str = "name") -> list[str]:
    """Every language column of `field`: name_nl, name_en, …"""
    return [build_localized_fieldname(field, lang) for lang in mt_settings.AVAILABLE_LANGUAGES]


def all_translations(obj, field: str = "name") -> list[str]:
    """The distinct non-empty values of `field` in every language, Dutch first (search data
    should not depend on the language active when it is computed)."""
    values = []
    for column in translated_columns(field):
        value = getattr(obj, column, None)
        if value and value not in values:
            values.append(value)
    return values or [getattr(obj, field)]
