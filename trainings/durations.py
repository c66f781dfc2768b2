"""A course's duration, typed as Dutch free text ("3 uur", "2 lesdagen", "één dagdeel"), shown
in the active language.

Text this module understands is rebuilt from gettext strings; anything else stays as typed and
is marked Dutch (lang="nl") on pages in another language.
"""

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.utils import formats, translation
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import ngettext

SOURCE_LANGUAGE = "nl"

NUMBER_WORDS = {
    "een": 1,
    "één": 1,
    "eén": 1,
    "twee": 2,
    "drie": 3,
    "vier": 4,
    "vijf": 5,
    "zes": 6,
    "zeven": 7,
    "acht": 8,
    "negen": 9,
    "tien": 10,
    "twaalf": 12,
    "anderhalf": Decimal("1.5"),
    "anderhalve": Decimal("1.5"),
}


def _minutes(n):
    return ngettext("%(count)s minuut", "%(count)s minuten", n)


def _hours(n):
    return ngettext("%(count)s uur", "%(count)s uur", n)


def _half_days(n):
    return ngettext("%(count)s dagdeel", "%(count)s dagdelen", n)


def _days(n):
    return ngettext("%(count)s dag", "%(count)s dagen", n)


def _training_days(n):
    return ngettext("%(count)s lesdag", "%(count)s lesdagen", n)


def _evenings(n):
    return ngettext("%(count)s avond", "%(count)s avonden", n)


def _sessions(n):
    return ngettext("%(count)s sessie", "%(count)s sessies", n)


def _lessons(n):
    return ngettext("%(count)s les", "%(count)s lessen", n)


def _weeks(n):
    return ngettext("%(count)s week", "%(count)s weken", n)


def _months(n):
    return ngettext("%(count)s maand", "%(count)s maanden", n)


# Every spelling people type, singular and plural, with its gettext string.
UNITS = {
    **dict.fromkeys(("min", "min.", "minuut", "minuten"), _minutes),
    **dict.fromkeys(("u", "u.", "uur", "uren"), _hours),
    **dict.fromkeys(("dagdeel", "dagdelen"), _half_days),
    **dict.fromkeys(("dag", "dagen"), _days),
    **dict.fromkeys(("lesdag", "lesdagen"), _training_days),
    **dict.fromkeys(("avond", "avonden", "lesavond", "lesavonden"), _evenings),
    **dict.fromkeys(("sessie", "sessies", "bijeenkomst", "bijeenkomsten"), _sessions),
    **dict.fromkeys(("les", "lessen"), _lessons),
    **dict.fromkeys(("week", "weken"), _weeks),
    **dict.fromkeys(("maand", "maanden"), _months),
}

PART = re.compile(
    r"^(?:(?P<digits>\d+(?:[.,]\d+)?)\s*|(?P<word>[^\W\d_]+)\s+)(?P<unit>[^\W\d_]+\.?)$"
)
# "2 dagen en 3 uur", "1 dag + 2 uur", "3 sessies, 2 uur"
SEPARATOR = re.compile(r"\s*(?:,(?!\d)|\+|\ben\b)\s*")


@dataclass(frozen=True)
class Duration:
    text: str
    translated: bool  # False: the Dutch text as typed


def _number(word: str) -> Decimal | None:
    word = word.lower()
    if word in NUMBER_WORDS:
        return Decimal(NUMBER_WORDS[word])
    try:
        return Decimal(word.replace(",", "."))
    except InvalidOperation:
        return None


def _part(text: str) -> str | None:
    match = PART.match(text.strip())
    if not match:
        return None
    number = _number(match["digits"] or match["word"])
    unit = UNITS.get(match["unit"].lower())
    if number is None or unit is None or number <= 0:
        return None
    if number == number.to_integral_value():
        count, shown = int(number), formats.number_format(int(number))
    else:  # 1,5 uur / 1.5 hours: a fraction takes the plural
        count, shown = 2, formats.number_format(number.normalize(), use_l10n=True)
    return unit(count) % {"count": shown}


def localise_duration(text: str) -> Duration:
    """The duration in the active language, or the text as typed when it is not understood."""
    text = (text or "").strip()
    if not text or translation.get_language() == SOURCE_LANGUAGE:
        return Duration(text, translated=False)
    parts = [part for part in SEPARATOR.split(text) if part]
    shown = [_part(part) for part in parts]
    if not parts or any(part is None for part in shown):
        return Duration(text, translated=False)
    if len(shown) == 1:
        return Duration(shown[0], translated=True)
    *first, last = shown
    joined = translation.gettext("%(first)s en %(last)s")
    return Duration(joined % {"first": ", ".join(first), "last": last}, translated=True)


def duration_html(text: str) -> SafeString:
    """The duration for a page: translated, or marked Dutch on a page in another language."""
    duration = localise_duration(text)
    if duration.translated or translation.get_language() == SOURCE_LANGUAGE:
        return format_html("{}", duration.text)
    return format_html('<span lang="{}">{}</span>', SOURCE_LANGUAGE, duration.text)
