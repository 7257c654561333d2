from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

# A complete, valid bug report (the fields the feedback form and API require).
BUG = {
    "kind": "bug",
    "title": "Player freezes",
    "steps": "Open a job, press play twice",
    "expected": "It plays",
    "actual": "It freezes",
    "severity": "medium",
}


def image_bytes(kind: str = "PNG", size: tuple[int, int] = (64, 40)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, format=kind)
    return buffer.getvalue()


@pytest.fixture
def png_upload():
    def make(name: str = "shot.png", data: bytes | None = None) -> SimpleUploadedFile:
        return SimpleUploadedFile(
            name, data if data is not None else image_bytes(), content_type="image/png"
        )

    return make
