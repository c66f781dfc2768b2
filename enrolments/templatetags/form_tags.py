"""Accessible form fields: hints and errors are linked to their input."""

from django import template

register = template.Library()


@register.simple_tag
def widget(field, **attrs):
    described_by = []
    if field.help_text:
        described_by.append(f"{field.auto_id}-hint")
    if field.errors:
        described_by.append(f"{field.auto_id}-error")
        attrs["aria-invalid"] = "true"
    if described_by:
        attrs["aria-describedby"] = " ".join(described_by)
    return field.as_widget(attrs=attrs)
