from django import template
from django.utils.safestring import SafeString, mark_safe

from agreements.rendering import render_agreement_html

register = template.Library()


@register.filter
def agreement_html(body: str) -> SafeString:
    # render_agreement_html sanitises with nh3, so its output is safe to mark.
    return mark_safe(render_agreement_html(body))  # noqa: S308
