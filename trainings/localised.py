"""Taxonomy names in the active language, in SQL (values(), unions, search data).

Reading ``format.name`` on an instance already gives the active language (modeltranslation's
descriptor); these helpers are for queries that read the columns themselves.
"""

from django.db.models import CharField, F, QuerySet, Value
from django.db.models.expressions import Combinable, Expression
from django.db.models.functions import Coalesce, NullIf
from django.utils.deconstruct import deconstructible
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


@deconstructible(path="trainings.localised.LocalisedOrder")
class LocalisedOrder(Expression):
    """`field` in the language active when the query runs (not when it is written), to sort
    by in Meta.ordering: in Dutch the Dutch column itself (required, and indexed), else the
    active language's text with the Dutch one where it is missing. modeltranslation rewrites a
    plain "title" to the active language's column only: untranslated rows would come first,
    in no order."""

    def __init__(self, field: str, prefix: str = ""):
        super().__init__(output_field=CharField())
        self.name, self.prefix = field, prefix

    def __eq__(self, other):
        return isinstance(other, LocalisedOrder) and (other.name, other.prefix) == (
            self.name,
            self.prefix,
        )

    def __hash__(self):
        return hash((LocalisedOrder, self.name, self.prefix))

    def prefix_references(self, prefix: str) -> "LocalisedOrder":
        """Ordering by a relation (Price's ["course", …]) sorts by the related column."""
        return LocalisedOrder(self.name, f"{prefix}{self.prefix}")

    def resolve_expression(self, *args, **kwargs):
        if get_language() == mt_settings.DEFAULT_LANGUAGE:
            name = build_localized_fieldname(self.name, mt_settings.DEFAULT_LANGUAGE)
            column = F(f"{self.prefix}{name}")
        else:
            column = localised_field(self.name, self.prefix)
        return column.resolve_expression(*args, **kwargs)


def shown_translation(obj, field: str, language: str, order: tuple[str, ...]) -> tuple[str, str]:
    """The text modeltranslation's descriptor gives for `obj.<field>` in `language` (`order`:
    resolution_order(language), worked out once by a caller that reads many rows), and the
    language that text is in; ("", language) when no language has one."""
    for code in order:
        value = getattr(obj, build_localized_fieldname(field, code), None)
        if value is not None and value != "":
            return value, code
    return "", language


def shown_language(obj, field: str) -> str:
    """The language of the text `obj.<field>` shows in the active language: the active one
    when it has a translation, else the fallback that filled it (Dutch). Reads the columns of
    the row already loaded; a field without translations is Dutch."""
    active = get_language()
    if translator_fields(obj).get(field) is None:
        return mt_settings.DEFAULT_LANGUAGE
    return shown_translation(obj, field, active, resolution_order(active))[1]


def lang_attribute(obj, field: str) -> str:
    """` lang="nl"` for the element showing `obj.<field>` when the text shown is not in the
    active language (its translation is missing), else nothing."""
    shown = shown_language(obj, field)
    return "" if shown == get_language() else f' lang="{shown}"'


def translator_fields(obj) -> dict:
    """The registered fields of obj's model: {"title": {…}, …} (empty when not registered)."""
    from modeltranslation.translator import NotRegistered, translator

    try:
        return translator.get_options_for_model(type(obj)).all_fields
    except NotRegistered:
        return {}


def translated_fields(model) -> set[str]:
    """The fields of `model` that have a column per language (none if it is not registered)."""
    from modeltranslation.translator import NotRegistered, translator

    try:
        return set(translator.get_options_for_model(model).all_fields)
    except NotRegistered:
        return set()
