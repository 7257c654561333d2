"""Signed media links (``web.media_links``) made in a template, for lists that show media
on every row: ``{% queue_thumbnails item.output viewer item_id=item.pk %}`` renders the
review queue's poster and filmstrip in one call (two signed links a row; one tag rather
than a dozen variable lookups a row costs about half as much, docs/benchmarks.md)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from web.media_links import media_url as _media_url

if TYPE_CHECKING:
    from jobs.models import Output

register = template.Library()


@register.simple_tag
def queue_thumbnails(output: Output, viewer: object, *, item_id: int) -> SafeString:
    """The poster (96x54, lazy) and, if the output has one, the filmstrip (shown by CSS
    while the row is hovered or focused)."""
    poster = format_html(
        '<img class="queue-poster" src="{}" alt="Poster of item {}" width="96" height="54"'
        ' loading="lazy" decoding="async">',
        _media_url(output=output, kind="poster", viewer=viewer), item_id,
    )  # fmt: skip
    if not output.filmstrip:
        return poster
    frames = output.filmstrip_frames
    strip = format_html(
        '<img class="queue-filmstrip" src="{}" alt="Filmstrip of item {}: {} frames"'
        ' width="{}" height="90" loading="lazy" decoding="async">',
        _media_url(output=output, kind="filmstrip", viewer=viewer), item_id, frames,
        frames * output.filmstrip_tile_width,
    )  # fmt: skip
    return poster + strip
