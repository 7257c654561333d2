"""Agreement text: safe HTML from markdown, and the digest that identifies an exact text."""

from __future__ import annotations

import hashlib

import markdown
import nh3

_ALLOWED_TAGS = {
    "h1", "h2", "h3", "h4", "h5", "h6", "p", "br", "hr", "ul", "ol", "li", "strong", "em",
    "blockquote", "code", "pre", "a", "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip


def text_sha256(body: str) -> str:
    """SHA-256 (hex) of the agreement body exactly as stored, UTF-8 encoded."""
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def render_agreement_html(body: str) -> str:
    """Markdown to HTML with anything active (scripts, handlers, raw HTML) removed."""
    html = markdown.markdown(body, extensions=["sane_lists", "tables"], output_format="html")
    return nh3.clean(
        html,
        tags=_ALLOWED_TAGS,
        attributes={"a": {"href", "title"}},
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )
