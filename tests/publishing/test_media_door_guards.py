"""Guards of the media door that the first mutation runs left alive (docs/mutation.md):
a validly signed URL whose row no longer exists, and a file that shrinks while it is
streamed. Taking a guard away (tools/guard_mutants.py) makes its test fail."""

from __future__ import annotations

from itertools import islice
from pathlib import Path

import pytest

from feedback.models import Attachment
from jobs.models import Output
from web.media_links import media_url, screenshot_url

pytestmark = pytest.mark.django_db


def unused_pk(model: type[Output] | type[Attachment]) -> int:
    newest = model.objects.order_by("-pk").values_list("pk", flat=True).first()
    return (newest or 0) + 1000


def test_a_signed_url_for_an_output_that_no_longer_exists_is_a_404(client, artist, make_output):
    """The guard: ``media_authorise``'s ``if output is None: return None``. The URL is
    ours, unexpired and issued to this viewer, but its output is gone: a 404 like any
    other refusal, not a 500 from reading the missing row's job."""
    make_output(artist)  # the table is not empty; the URL names a row that isn't there
    gone = Output(pk=unused_pk(Output))
    client.force_login(artist)

    for kind in ("video", "poster"):
        response = client.get(media_url(output=gone, kind=kind, viewer=artist))
        assert response.status_code == 404, kind


def test_a_signed_url_for_a_screenshot_that_no_longer_exists_is_a_404(client, artist):
    """The guard: ``screenshot_authorise``'s ``if attachment is None: return None``. A
    screenshot URL issued to this reporter for an attachment that is gone is a 404, not
    a 500 from reading the missing row's report."""
    gone = Attachment(pk=unused_pk(Attachment))
    client.force_login(artist)

    response = client.get(screenshot_url(attachment=gone, viewer=artist))

    assert response.status_code == 404


def test_a_file_that_shrinks_while_it_is_streamed_ends_the_response(client, artist, make_output):
    """The guard: ``_read``'s ``if not chunk: return``. The range promised more bytes than
    the file now holds (it was replaced or truncated after the response began): the
    stream ends with what there is instead of yielding empty chunks for ever."""
    output = make_output(artist)
    client.force_login(artist)
    path = Path(output.video.path)
    whole = path.read_bytes()
    assert len(whole) > 100

    part = client.get(media_url(output=output, kind="video", viewer=artist), HTTP_RANGE="bytes=0-")
    assert part.status_code == 206
    assert part["Content-Length"] == str(len(whole))
    with path.open("r+b") as handle:  # shrinks after the response was made, before it is read
        handle.truncate(len(whole) // 2)
    try:
        # Bounded, so that a stream that never ends fails here instead of hanging.
        chunks = list(islice(part.streaming_content, 50))
    finally:
        part.close()

    assert len(chunks) < 50, "the stream kept yielding after the file ended"
    assert b"".join(chunks) == whole[: len(whole) // 2]
