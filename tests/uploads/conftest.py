"""Images to upload, for these tests and the route walk's world."""

from __future__ import annotations

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image


def picture(kind: str = "PNG", size: tuple[int, int] = (64, 40), **save: object) -> bytes:
    image = Image.new("RGB", size, (200, 40, 40))
    image.paste((30, 90, 210), (0, 0, size[0] // 2, size[1]))  # left half blue
    out = io.BytesIO()
    image.save(out, format=kind, **save)
    return out.getvalue()


def upload(data: bytes, name: str = "start.png", content_type: str = "image/png"):
    return SimpleUploadedFile(name, data, content_type=content_type)
