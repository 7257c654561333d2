"""Hostile screenshot uploads on bug reports, beyond tests/feedback/test_forms.py (which
covers text named .png, GIF, truncated PNG, over 5 MB, too wide, a decompression bomb):
polyglots, HTML hidden in an image, SVG, empty files, misleading names and a header that
claims enormous dimensions. Each is refused with a field error, or stored only as a
freshly encoded image whose type comes from its content."""

from __future__ import annotations

import io
import struct
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, PngImagePlugin

from feedback.models import Attachment, FeedbackItem
from tests.faults.conftest import protection_params
from tests.feedback.conftest import BUG, image_bytes

pytestmark = pytest.mark.django_db

SCRIPT = b"<html><script>alert(document.cookie)</script></html>"


def _png_with_text_chunk() -> bytes:
    """A valid PNG carrying HTML in a tEXt chunk (survives naive checks)."""
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", SCRIPT.decode())
    buffer = io.BytesIO()
    Image.new("RGB", (32, 32), (10, 200, 10)).save(buffer, format="PNG", pnginfo=info)
    return buffer.getvalue()


def _png_header_claiming(width: int, height: int) -> bytes:
    """A tiny PNG whose IHDR claims ``width`` by ``height``: nothing behind it."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body) & 0xFFFFFFFF
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 16)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")
    )


def _post(client, name: str, data: bytes):
    # Browsers send whatever type the name suggests; the server must not care.
    upload = SimpleUploadedFile(name, data, content_type="image/png")
    return client.post("/api/v1/feedback/", {**BUG, "screenshots": [upload]})


REFUSED = {
    "svg_with_script": (
        "shot.svg",
        b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
        "not a PNG, JPEG or WebP",
    ),
    "svg_named_png": ("shot.png", b"<?xml version='1.0'?><svg onload='alert(1)'/>", "not a PNG"),
    "html_named_png": ("shot.png", SCRIPT, "not a PNG, JPEG or WebP"),
    "html_after_png_magic": ("shot.png", b"\x89PNG\r\n\x1a\n" + SCRIPT, "not a PNG"),
    "zero_bytes": ("shot.png", b"", "is empty"),
    "huge_dimensions_header": ("shot.png", _png_header_claiming(100_000, 100_000), "megapixels"),
    "truncated_jpeg": ("shot.jpg", image_bytes("JPEG", (200, 200))[:400], "damaged"),
}


@pytest.mark.parametrize(("name", "data", "says"), REFUSED.values(), ids=REFUSED.keys())
def test_hostile_screenshots_are_refused_with_a_field_error(client, artist, name, data, says):
    client.force_login(artist)
    response = _post(client, name, data)
    assert response.status_code == 400, response.content
    messages = " ".join(e["message"] for e in response.json()["fields"]["screenshots"])
    assert says in messages
    assert not FeedbackItem.objects.exists() and not Attachment.objects.exists()


def test_a_jpeg_named_png_is_stored_as_what_it_is(client, artist):
    client.force_login(artist)
    response = _post(client, "shot.png", image_bytes("JPEG"))
    assert response.status_code == 201, response.content
    attachment = Attachment.objects.get()
    assert attachment.content_type == "image/jpeg"
    assert (attachment.image.name or "").endswith(".jpg")


def test_an_image_named_html_is_stored_under_its_image_type(client, artist):
    client.force_login(artist)
    response = _post(client, "report.html", image_bytes("PNG"))
    assert response.status_code == 201, response.content
    attachment = Attachment.objects.get()
    assert (attachment.content_type, (attachment.image.name or "")[-4:]) == ("image/png", ".png")
    assert "html" not in (attachment.image.name or "")


@pytest.mark.parametrize(
    "protection", protection_params(reason="stored as uploaded, the hidden HTML survives")
)
@pytest.mark.parametrize(
    "data",
    [_png_with_text_chunk(), image_bytes("PNG") + SCRIPT, image_bytes("JPEG") + SCRIPT],
    ids=["html_in_text_chunk", "png_html_polyglot", "jpeg_html_polyglot"],
)
def test_polyglots_are_re_encoded_so_no_hidden_payload_is_kept(
    client, artist, monkeypatch, protection, data
):
    """The protection: ``feedback.images.screenshot_clean`` re-encodes every accepted image
    from its pixels, so nothing but the picture is stored. Switched off (the original
    bytes stored as they came), the HTML payload is kept."""
    if protection == "off":
        from feedback import images, services

        def keep_original(upload):
            upload.seek(0)
            data = upload.read()
            image = Image.open(io.BytesIO(data))
            content_type, extension = images.FORMATS[image.format or ""]
            return images.CleanImage(data, content_type, extension, *image.size)

        monkeypatch.setattr(services, "screenshot_clean", keep_original)
    client.force_login(artist)
    response = _post(client, "shot.png", data)
    assert response.status_code == 201, response.content
    stored = Attachment.objects.get().image.open("rb").read()
    assert b"<script>" not in stored and b"<html>" not in stored
    Image.open(io.BytesIO(stored)).verify()


def test_the_portal_form_refuses_an_svg_with_the_same_message(client, artist):
    client.force_login(artist)
    svg = SimpleUploadedFile("shot.svg", b"<svg onload='alert(1)'/>", content_type="image/svg+xml")
    response = client.post("/feedback/new/bug/", {**BUG, "screenshots": [svg]})
    assert response.status_code == 400
    assert "not a PNG, JPEG or WebP" in response.content.decode()
    assert not FeedbackItem.objects.exists()
