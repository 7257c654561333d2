from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
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


@pytest.fixture
def rate_card(db, program_admin):
    """A published rate card in force."""
    from ledger.services import rate_card_create, rate_card_publish

    card = rate_card_create(
        admin=program_admin,
        version=1,
        effective_at=timezone.now(),
        currency="EUR",
        rates={
            "bug:low": "5.00",
            "bug:medium": "10.00",
            "bug:high": "25.00",
            "bug:critical": "50.00",
            "safety:low": "10.00",
            "safety:medium": "20.00",
            "safety:high": "50.00",
            "safety:critical": "100.00",
            "feature": "3.00",
            "survey": "2.00",
            "showcase": "40.00",
        },
    )
    return rate_card_publish(admin=program_admin, card=card)
