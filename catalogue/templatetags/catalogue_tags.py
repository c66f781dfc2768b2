"""Presentation helpers for money and line-based text fields."""

from decimal import Decimal, InvalidOperation

from django import template
from django.utils import formats

register = template.Library()


@register.filter
def euro(value) -> str:
    """Format an amount as money in the active language: € 25,00 (nl) or €25.00 (en)."""
    if value is None or value == "":
        return ""
    try:
        amount = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        return ""
    number = formats.number_format(amount, 2, use_l10n=True, force_grouping=True)
    return f"€\u00a0{number}"


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
