"""Hostile request framing (issue 12): absurd Range headers on the media door, JSON nested
thousands of levels deep, upload names of a thousand characters. Each gets a clean,
documented answer (416, a JSON 400, an accepted upload), never a 500 or a bare 400."""

from __future__ import annotations

import json

import pytest
from django.http import multipartparser
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.parsers import JSONParser
from rest_framework.views import APIView

from api.parsers import NestingLimitedJSONParser
from feedback.models import Attachment, FeedbackItem
from publishing import media
from tests.faults.conftest import SMALL_REQUEST, protection_params
from tests.feedback.conftest import BUG, image_bytes
from web.media_links import media_url

pytestmark = pytest.mark.django_db

HUGE = "9" * 4301  # one digit past what Python will read as a number
ZEROS = "0" * 5000 + "7"  # a small number in a long spelling

# Range header -> the status RFC 9110 allows for it (size is the file's length).
RANGES = {
    "huge_first": (f"bytes={HUGE}-", 416),
    "huge_first_and_last": (f"bytes={HUGE}-{HUGE}", 416),
    "huge_last": (f"bytes=0-{HUGE}", 206),  # to the end
    "huge_suffix": (f"bytes=-{HUGE}", 206),  # the whole file
    "ten_thousand_digits": ("bytes=" + "1" * 10_000 + "-", 416),
    "leading_zeros": (f"bytes={ZEROS}-{ZEROS}", 206),
    "arabic_indic_digits": ("bytes=\u0661-\u0662", 200),  # not a range: ignored
    "two_ranges": ("bytes=0-1,5-6", 200),  # not served as multipart: ignored
    "backwards": ("bytes=9-3", 416),
    "empty": ("bytes=-", 416),
    "zero_suffix": ("bytes=-0", 416),
    "other_unit": ("lines=0-3", 200),
    "garbage": ("\x00\xff" * 100, 200),
}


@pytest.fixture
def video(client, artist, make_output):
    output = make_output(artist)
    client.force_login(artist)
    return media_url(output=output, kind="video", viewer=artist), output.video.size


@pytest.mark.parametrize(("header", "status"), RANGES.values(), ids=RANGES.keys())
def test_any_range_header_is_answered_by_the_rfc(client, video, header, status):
    """The protection: ``publishing.media._position`` (ASCII digits; past 18 significant
    digits a position counts as beyond the end of any file)."""
    url, size = video
    response = client.get(url, HTTP_RANGE=header)
    assert response.status_code == status, header[:40]
    if status == 416:
        assert response["Content-Range"] == f"bytes */{size}"
    if status == 206:
        assert response["Content-Range"].endswith(f"/{size}")


@pytest.mark.parametrize(
    "protection", protection_params(reason="reading a 4,301-digit number raises: a 500")
)
def test_a_range_past_pythons_number_limit_is_416(client, video, monkeypatch, protection):
    """The protection: ``publishing.media._POSITION_DIGITS``. Off, the position is read
    with ``int()``, which refuses more than 4,300 digits (ValueError: a 500)."""
    if protection == "off":
        monkeypatch.setattr(media, "_POSITION_DIGITS", 10**6)
    url, size = video
    response = client.get(url, HTTP_RANGE=f"bytes={HUGE}-")
    assert response.status_code == 416
    assert response["Content-Range"] == f"bytes */{size}"


def _nested(depth: int) -> str:
    return '{"a":' * depth + "1" + "}" * depth


# Anonymous, signed-in, and an endpoint that names its own parsers.
ENDPOINTS = ["/api/v1/invitations/verify/", "/api/v1/generations/", "/api/v1/feedback/"]


@pytest.mark.parametrize("path", ENDPOINTS)
@pytest.mark.parametrize("depth", [33, 900, 2000, 100_000])
def test_deeply_nested_json_is_a_json_400(client, artist, path, depth):
    """The protection: ``api.parsers.NestingLimitedJSONParser`` (32 levels at most)."""
    if path != ENDPOINTS[0]:
        client.force_login(artist)
    response = client.post(path, _nested(depth), content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {
        "code": "parse_error",
        "detail": "JSON parse error - nested more than 32 levels deep.",
    }


def test_json_nested_within_the_limit_still_reaches_the_view(client, artist):
    client.force_login(artist)
    body = {**SMALL_REQUEST, "extra": json.loads(_nested(30))}
    response = client.post("/api/v1/generations/", body, content_type="application/json")
    assert response.status_code == 201, response.content


@pytest.mark.parametrize(
    "protection", protection_params(reason="DRF's JSONParser lets RecursionError out: a 500")
)
@pytest.mark.parametrize("path", ENDPOINTS)
def test_json_2000_levels_deep_is_refused_everywhere(client, artist, monkeypatch, protection, path):
    """The protection: ``api.parsers.NestingLimitedJSONParser``. Off (DRF's own parse),
    the decoder's RecursionError escapes as an HTML 500."""
    if protection == "off":
        monkeypatch.setattr(NestingLimitedJSONParser, "parse", JSONParser.parse)
    client.force_login(artist)
    response = client.post(path, "[" * 2000 + "]" * 2000, content_type="application/json")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"


def _api_views() -> list[type[APIView]]:
    views: list[type[APIView]] = []

    def walk(patterns: list[URLPattern | URLResolver]) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns)
            elif isinstance(getattr(pattern.callback, "cls", None), type):
                view = pattern.callback.cls  # type: ignore[attr-defined]
                if issubclass(view, APIView):
                    views.append(view)

    walk(get_resolver().url_patterns)
    return views


def test_every_api_view_reads_json_through_the_nesting_limit():
    """A view that names its own ``parser_classes`` must not bring back DRF's plain
    JSONParser (the whole class of endpoints, not the ones tested above)."""
    views = _api_views()
    assert len(views) > 20
    for view in views:
        for parser in view.parser_classes:
            if issubclass(parser, JSONParser):
                assert issubclass(parser, NestingLimitedJSONParser), view


def _multipart(fields: dict[str, str], file_field: str, name: str, data: bytes):
    boundary = "----vernissage-test"
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'.encode()
        for key, value in fields.items()
    ]
    # Written by hand: Django's test client would cut the name to 255 characters.
    parts.append(
        f"--{boundary}\r\nContent-Disposition: form-data; "
        f'name="{file_field}"; filename="{name}"\r\nContent-Type: image/png\r\n\r\n'.encode()
        + data
        + b"\r\n"
    )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


LONG_NAMES = {
    "thousand_characters": "a" * 1000 + ".png",
    "thousand_non_ascii": "é" * 1000 + ".png",
    "long_extension": "shot." + "p" * 300,
}


def _protection_off(monkeypatch: pytest.MonkeyPatch, settings) -> None:
    monkeypatch.setattr(multipartparser, "MAX_TOTAL_HEADER_SIZE", 1024)
    settings.FILE_UPLOAD_HANDLERS = [
        "django.core.files.uploadhandler.MemoryFileUploadHandler",
        "django.core.files.uploadhandler.TemporaryFileUploadHandler",
    ]


@pytest.mark.parametrize(
    "protection",
    protection_params(reason="Django refuses part headers over 1 KiB; long suffixes: a 500"),
)
@pytest.mark.parametrize("where", ["api", "page"])
@pytest.mark.parametrize("name", LONG_NAMES.values(), ids=LONG_NAMES.keys())
def test_a_screenshot_with_a_very_long_name_is_accepted(
    client, artist, monkeypatch, settings, protection, where, name
):
    """The protection: ``web.uploads`` (part headers up to 32 KiB; upload handlers
    that shorten the name before Django makes a temporary file from it). Off, the
    thousand-character names are a bare 400 (page) or a ``parse_error`` with no field
    (API), and the long extension a 500 once the file is written to disk. Files here
    go to disk, as every screenshot over 2.5 MB does."""
    if protection == "off":
        _protection_off(monkeypatch, settings)
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 1000
    client.force_login(artist)
    fields = {key: value for key, value in BUG.items() if where == "api" or key != "kind"}
    body, content_type = _multipart(fields, "screenshots", name, image_bytes())
    path = "/api/v1/feedback/" if where == "api" else "/feedback/new/bug/"
    response = client.generic("POST", path, body, content_type=content_type)
    assert response.status_code == (201 if where == "api" else 302), response.content[:300]
    attachment = Attachment.objects.get()
    assert str(attachment.image.name).endswith(f"item-{FeedbackItem.objects.get().pk}-1.png")


def test_a_refused_screenshot_names_its_file_in_a_few_words(client, artist):
    client.force_login(artist)
    body, content_type = _multipart(BUG, "screenshots", "a" * 1000 + ".png", b"not an image")
    response = client.generic("POST", "/api/v1/feedback/", body, content_type=content_type)
    assert response.status_code == 400
    [error] = response.json()["fields"]["screenshots"]
    assert "is not a PNG, JPEG or WebP image" in error["message"]
    assert len(error["message"]) < 200 and error["message"].startswith("aaa")


@pytest.mark.parametrize("name", LONG_NAMES.values(), ids=LONG_NAMES.keys())
def test_a_trace_upload_with_a_very_long_name_reaches_the_form(
    client, program_admin, settings, name
):
    """The staff trace page: the upload is read and judged (here: not a video), with the
    answer on the field, instead of a bare 400."""
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 1000
    client.force_login(program_admin)
    body, content_type = _multipart({}, "video", name, b"not a video at all " * 100)
    response = client.generic("POST", "/staff/trace/", body, content_type=content_type)
    assert response.status_code == 400
    page = response.content.decode()
    assert "not a video we can read" in page and 'aria-invalid="true"' in page
