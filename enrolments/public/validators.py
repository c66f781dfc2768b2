"""What a name may hold in a public form: a name, not a message.

Names typed by strangers end up in mails we send (a greeting, a colleague's confirmation), so
a line break, an invisible character or a web address in a name would let anyone write their
own text under our address. Every public form uses these validators, through NameField and
OrganisationField in forms.py.
"""

from __future__ import annotations

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

NAME_MAX_LENGTH = 60  # first name, last name, a place
FULL_NAME_MAX_LENGTH = 120  # "Jouw naam", a contact person
ORGANISATION_MAX_LENGTH = 120

# Line and paragraph separators, control and format characters (zero-width, bidi overrides).
_INVISIBLE_CATEGORIES = {"Cc", "Cf", "Zl", "Zp", "Co", "Cs", "Cn"}

# http(s), www., any scheme, or a bare domain: two or more letters or digits, a dot and a
# top-level domain ("example.com", "bieb.nl/x"). Initials ("J.P. Bakker") are not domains.
_WEB_ADDRESS = re.compile(
    r"https?|www\.|://|(?<![\w.-])[\w-]{2,}(?:\.[\w-]+)*\.[^\W\d_]{2,}(?![\w-])",
    re.IGNORECASE,
)


def _has_invisible(value: str) -> bool:
    return any(unicodedata.category(char) in _INVISIBLE_CATEGORIES for char in value)


def validate_plain_text(value: str) -> None:
    """A name or organisation: one line, visible characters, no web address."""
    if _has_invisible(value):
        raise ValidationError(
            _("Gebruik alleen gewone letters en tekens, zonder regeleinden."),
            code="invisible",
        )
    if _WEB_ADDRESS.search(value):
        raise ValidationError(
            _("Vul alleen een naam in, zonder webadres of link."),
            code="web_address",
        )
