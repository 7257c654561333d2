"""Render a form field accessibly: label, help text and errors tied to the input."""

from __future__ import annotations

from django import template
from django.forms import BoundField
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

register = template.Library()


@register.simple_tag
def field(bound: BoundField) -> SafeString:
    described = []
    attrs: dict[str, str | bool] = {}
    help_html = SafeString("")
    errors_html = SafeString("")
    if bound.help_text:
        help_id = f"{bound.auto_id}-help"
        described.append(help_id)
        help_html = format_html('<p class="help" id="{}">{}</p>', help_id, bound.help_text)
    if bound.errors:
        error_id = f"{bound.auto_id}-error"
        described.append(error_id)
        attrs["aria-invalid"] = "true"
        errors_html = format_html(
            '<p class="error" id="{}">{}</p>',
            error_id,
            format_html_join(" ", "{}", ((e,) for e in bound.errors)),
        )
    if described:
        attrs["aria-describedby"] = " ".join(described)
    return format_html(
        '<div class="field"><label for="{}">{}</label>{}{}{}</div>',
        bound.id_for_label,
        bound.label,
        bound.as_widget(attrs=attrs),
        help_html,
        errors_html,
    )
