"""Presentation helpers for money and line-based text fields."""

from decimal import Decimal, InvalidOperation

from django import template
from django.conf import settings
from django.utils import formats, translation
from django.utils.safestring import SafeString, mark_safe

from catalogue.languages import request_in_languages
from catalogue.public import fragments, session_lines
from catalogue.public.fragments import json_ld
from trainings.durations import SOURCE_LANGUAGE, duration_html
from trainings.localised import lang_attribute
from trainings.reversing import reverse_one

register = template.Library()


@register.simple_tag
def page_url(name: str, value=None) -> str:
    """{% page_url "catalogue:course-list" %}, {% page_url "site:language" code %}: the
    address {% url %} gives, for the links a page draws on every request (no argument, or
    one int or slug): worked out once per language (trainings/reversing.py) instead of by
    reverse() each time, about 50 µs a link."""
    return reverse_one(name, value)


@register.filter
def euro(value) -> str:
    """Format an amount as money in the active language: € 25,00 (nl), 25,00 € (fr) or
    €25.00 (en); the separators are Django's formats of that language."""
    if value is None or value == "":
        return ""
    try:
        amount = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        return ""
    number = formats.number_format(amount, 2, use_l10n=True, force_grouping=True)
    language = translation.get_language()
    if language == "nl":
        return f"€\u00a0{number}"  # Dutch: € 25,00
    if language == "fr":
        return f"{number}\u00a0€"  # French: 25,00 €
    return f"€{number}"  # English: €25.00


@register.simple_tag(takes_context=True)
def language_versions(context) -> dict:
    """This page's absolute address in each language of the site, for the hreflang links:
    {"versions": [(code, url), ...], "default": Dutch url}, empty where the page has no
    language versions (an error page, a page outside the per-language addresses)."""
    request = context.get("request")
    if request is None or getattr(request, "resolver_match", None) is None:
        return {}
    path = context.get("canonical_path") or request.path
    origin = f"{request.scheme}://{request.get_host()}"
    urls = request_in_languages(request, path)
    if len(set(urls.values())) == 1:
        return {}
    return {
        "versions": [(code, origin + url) for code, url in urls.items()],
        "default": origin + urls[settings.LANGUAGE_CODE],
    }


@register.filter
def lines(text: str) -> list[str]:
    """Non-empty lines of a text field, stripped."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


@register.filter
def bullets(text: str) -> list[dict]:
    """Lines as a two-level list: a line starting with '-' belongs to the line above it."""
    items: list[dict] = []
    for raw in (text or "").splitlines():
        line = raw.strip()
        if not line:
            continue
        if line.startswith(("-", "–", "•")) and items:
            items[-1]["children"].append(line.lstrip("-–• ").strip())
        else:
            items.append({"text": line.lstrip("-–• ").strip(), "children": []})
    return items


@register.filter
def paragraphs(text: str) -> list[str]:
    """Blocks of text separated by blank lines."""
    blocks = [block.strip() for block in (text or "").replace("\r\n", "\n").split("\n\n")]
    return [block for block in blocks if block]


@register.simple_tag
def jsonld(data) -> str:
    """A JSON-LD block, escaped so that no text can close the script element. Markup already
    rendered (a skeleton's hole for it, catalogue/public/fragments.py) passes through."""
    if isinstance(data, SafeString):
        return data
    return json_ld(data)


@register.simple_tag
def dutch_lang() -> str:
    """` lang="nl"` for an element holding Dutch-only content (course texts), on a page in
    another language; nothing on a Dutch page, where it is the page's own language."""
    if translation.get_language() == SOURCE_LANGUAGE:
        return ""
    return mark_safe(f' lang="{SOURCE_LANGUAGE}"')


@register.simple_tag(takes_context=True)
def fallback_lang(context, obj, field: str) -> str:
    """` lang="nl"` on the element showing `obj.<field>` when that text has no translation in
    the page's language, so the Dutch one is shown; nothing when it is translated. The request
    remembers it, so the page says once that some text is in Dutch ({% fallback_note %})."""
    if obj is None:
        return ""
    attribute = lang_attribute(obj, field)
    _note_untranslated(context, bool(attribute))
    return mark_safe(attribute)


def _note_untranslated(context, untranslated: bool) -> None:
    """Remember on the request that the page shows some text in Dutch ({% fallback_note %})."""
    request = context.get("request")
    if untranslated and request is not None:
        request.shows_untranslated = True


@register.inclusion_tag("catalogue/partials/_fallback_note.html", takes_context=True)
def fallback_note(context) -> dict:
    """Once per page, after its content: some text on it is shown in Dutch."""
    request = context.get("request")
    return {"show": getattr(request, "shows_untranslated", False)}


@register.simple_tag(takes_context=True)
def course_card(context, course) -> SafeString:
    """A course's card as the catalogue shows it (catalogue/public/cards.py); the course has
    its labels (attach_labels) and prices."""
    from catalogue.public.cards import render_card  # cards.py uses this module's euro

    card = render_card(course)
    _note_untranslated(context, card.untranslated)
    return card.html


@register.filter
def duration(text: str) -> str:
    """A course's duration in the active language ("3 uur" → "3 hours"); text that is not
    understood stays Dutch, marked lang="nl" on other pages."""
    return duration_html(text)


@register.simple_tag(takes_context=True)
def session_line(context, session, show_course=False, show_actions=False) -> SafeString:
    """A session as the home and course pages list it (catalogue/public/session_lines.py).
    Its places and status: while a skeleton renders, a hole that each request fills with the
    live numbers (catalogue/public/fragments.py)."""
    state = fragments.session_state(session, bool(show_actions))
    holes = context.get("fragment_holes")
    if holes is not None:
        state_html = holes.add(fragments.StateHole(state, bool(show_actions)))
    else:
        state_html = session_lines.render_state(state, bool(show_actions))
    html, untranslated = session_lines.render_session(
        session, state_html, show_course=bool(show_course), show_actions=bool(show_actions)
    )
    _note_untranslated(context, untranslated)
    return mark_safe(html)


# Markup rendered once per language and site address ({% per_language %}), by name.
_per_language: dict[tuple, str] = {}


class PerLanguageNode(template.Node):
    def __init__(self, name: str, nodelist):
        self.name, self.nodelist = name, nodelist

    def render(self, context) -> str:
        if settings.DEBUG:  # a template edited while the dev server runs shows at once
            return self.nodelist.render(context)
        request = context.get("request")
        site = (request.scheme, request.get_host()) if request is not None else None
        key = (self.origin.name if self.origin else "", self.name, translation.get_language(), site)
        html = _per_language.get(key)
        if html is None:
            html = _per_language[key] = self.nodelist.render(context)
        return html


@register.tag
def per_language(parser, token):
    """{% per_language "name" %}…{% end_per_language %}: markup that depends on nothing but
    the language and the site's address (static files, fixed links, translated text), rendered
    once per process for each and then reused. Nothing that varies per page or visitor may be
    inside: a page's path, the user, a form."""
    bits = token.split_contents()
    if len(bits) != 2 or bits[1][0] not in "\"'" or bits[1][0] != bits[1][-1]:
        raise template.TemplateSyntaxError(
            'per_language takes a quoted name: {% per_language "x" %}'
        )
    nodelist = parser.parse(("end_per_language",))
    parser.delete_first_token()
    return PerLanguageNode(bits[1][1:-1], nodelist)


class UnlessOpenSessionNode(template.Node):
    def __init__(self, course, nodelist):
        self.course, self.nodelist = course, nodelist

    def render(self, context) -> str:
        holes = context.get("fragment_holes")
        if holes is not None:
            return holes.add(fragments.UnlessOpenHole(self.nodelist.render(context)))
        if self.course.resolve(context).has_open_session:
            return ""
        return self.nodelist.render(context)


@register.tag
def unless_open_session(parser, token):
    """{% unless_open_session course %}…{% end_unless_open_session %}: shown while none of the
    course's upcoming sessions is open for registration (a hole in a skeleton)."""
    bits = token.split_contents()
    if len(bits) != 2:
        raise template.TemplateSyntaxError("unless_open_session takes a course")
    nodelist = parser.parse(("end_unless_open_session",))
    parser.delete_first_token()
    return UnlessOpenSessionNode(parser.compile_filter(bits[1]), nodelist)
