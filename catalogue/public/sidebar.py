"""The catalogue's filters as HTML: a fieldset per facet with its options and their counts.

Built in Python rather than by the template engine: a large catalogue has hundreds of options
(every provider), the most repeated markup on the catalogue page, and a filtered page is often
drawn for a combination not seen before. Escaped with the standard library's html.escape,
which is what Django's escape() does; our own translated messages are not escaped, as
{% translate %} leaves them.
"""

from functools import lru_cache
from html import escape

from django.utils import translation
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import slugify


def facets_html(facets) -> SafeString:
    """Per facet a fieldset with its options, the long ones with their most used options
    first and the rest behind "show n more" (Facet.head and tail)."""
    out = []
    for facet in facets:
        label = str(facet.label)
        out.append(
            f'<fieldset class="facet"><legend>{escape(label)}</legend>'
            f"<ul>{facet_options(facet, facet.head)}</ul>"
        )
        if facet.tail:
            more = translation.gettext("Toon nog %(n)s") % {"n": len(facet.tail)}
            opened = " open" if facet.tail_has_selection else ""
            out.append(
                f'<details class="facet__more" data-key="more-{escape(facet.name)}"{opened}>'
                f'<summary>{more}<span class="visually-hidden"> — {escape(label.lower())}</span>'
                f"</summary><ul>{facet_options(facet, facet.tail)}</ul></details>"
            )
        out.append("</fieldset>")
    return mark_safe("".join(out))


def facet_options(facet, options) -> str:
    """The checkboxes of a facet's options as list items. What an option shows besides its
    count and whether it is chosen is built once (_option_parts)."""
    trainings = translation.gettext("trainingen")
    name = facet.name
    parts = [_option_parts(name, option.value, str(option.label)) for option in options]
    end = f'<span class="visually-hidden"> {escape(trainings)}</span>)</span></label></li>'
    return mark_safe(
        "".join(
            f"{start}{' checked' if option.selected else ''}{label}{option.count}{end}"
            for (start, label), option in zip(parts, options, strict=True)
        )
    )


@lru_cache(maxsize=16384)
def _option_parts(facet: str, value: str, label: str) -> tuple[str, str]:
    """An option's markup before "checked" and between it and the count."""
    option_id = _option_id(facet, value)
    return (
        f'<li><input type="checkbox" form="filters" id="{option_id}"'
        f' name="{escape(facet)}" value="{escape(value)}"',
        f'><label for="{option_id}">{escape(label)} <span class="facet__count">(',
    )


@lru_cache(maxsize=8192)
def _option_id(facet: str, value: str) -> str:
    return escape(f"f-{facet}-{slugify(value)}")
