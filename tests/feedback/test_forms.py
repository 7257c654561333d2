"""Every form's bad input, through the API and the portal."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from feedback.models import Attachment, FeedbackItem
from tests.feedback.conftest import BUG, image_bytes

pytestmark = pytest.mark.django_db


def test_bug_report_with_screenshot_is_re_encoded_and_private(client, artist, png_upload):
    client.force_login(artist)
    data = image_bytes() + b"TRAILING-PAYLOAD"
    response = client.post("/api/v1/feedback/", {**BUG, "screenshots": [png_upload(data=data)]})
    assert response.status_code == 201, response.json()
    item = FeedbackItem.objects.get()
    attachment = Attachment.objects.get(item=item)
    stored = attachment.image.open("rb").read()
    assert stored[:8] == b"\x89PNG\r\n\x1a\n" and b"TRAILING-PAYLOAD" not in stored
    assert (attachment.width, attachment.height, attachment.content_type) == (64, 40, "image/png")
    with pytest.raises(NotImplementedError):
        attachment.image.url  # noqa: B018 — private: no public URL


@pytest.mark.parametrize(
    ("name", "data", "code_text"),
    [
        ("evil.png", b"<?php system($_GET['c']); ?>", "not a PNG, JPEG or WebP"),
        ("shot.png", image_bytes("GIF"), "only PNG, JPEG and WebP"),
        ("shot.jpg", image_bytes("PNG")[:60], "damaged or incomplete"),
    ],
)
def test_wrong_content_with_a_valid_extension_is_refused(
    client, artist, png_upload, name, data, code_text
):
    client.force_login(artist)
    response = client.post(
        "/api/v1/feedback/", {**BUG, "screenshots": [png_upload(name=name, data=data)]}
    )
    assert response.status_code == 400
    assert code_text in response.json()["fields"]["screenshots"][0]["message"]
    assert not FeedbackItem.objects.exists() and not Attachment.objects.exists()


def test_oversized_file_is_refused(client, artist, png_upload):
    client.force_login(artist)
    big = png_upload(data=b"\x89PNG" + b"0" * (5 * 1024 * 1024 + 10))
    response = client.post("/api/v1/feedback/", {**BUG, "screenshots": [big]})
    assert response.status_code == 400 and "larger than 5 MB" in str(response.json())


def test_too_many_pixels_and_decompression_bombs_are_refused(client, artist, png_upload):
    client.force_login(artist)
    wide = io.BytesIO()
    Image.new("1", (9000, 10)).save(wide, format="PNG")  # tiny file, too wide
    response = client.post(
        "/api/v1/feedback/", {**BUG, "screenshots": [png_upload(data=wide.getvalue())]}
    )
    assert response.status_code == 400 and "too large" in str(response.json())
    bomb = io.BytesIO()
    Image.new("1", (7900, 7900)).save(bomb, format="PNG")  # ~62 MP of zeros in a few KB
    assert len(bomb.getvalue()) < 50_000
    response = client.post(
        "/api/v1/feedback/", {**BUG, "screenshots": [png_upload(data=bomb.getvalue())]}
    )
    assert response.status_code == 400 and "megapixels" in str(response.json())
    assert not FeedbackItem.objects.exists()


def test_missing_fields_are_all_named(client, artist):
    client.force_login(artist)
    response = client.post("/api/v1/feedback/", {"kind": "bug"}, content_type="application/json")
    assert response.status_code == 400
    assert set(response.json()["fields"]) == {"title", "steps", "expected", "actual", "severity"}
    response = client.post("/api/v1/feedback/", {"kind": "safety"}, content_type="application/json")
    assert set(response.json()["fields"]) == {"title", "severity", "category", "prompts"}
    response = client.post(
        "/api/v1/feedback/", {"kind": "feature"}, content_type="application/json"
    )
    assert set(response.json()["fields"]) == {"title", "comment"}
    response = client.post(
        "/api/v1/feedback/", {"kind": "output", "rating": 9}, content_type="application/json"
    )
    assert set(response.json()["fields"]) == {"job", "rating"}
    assert (
        client.post(
            "/api/v1/feedback/", {"kind": "rant"}, content_type="application/json"
        ).status_code
        == 400
    )


def test_output_feedback_only_on_your_own_finished_video(client, artist, other_artist, make_output):
    mine, theirs = make_output(artist), make_output(other_artist)
    client.force_login(artist)
    ok = client.post(
        "/api/v1/feedback/",
        {"kind": "output", "job": mine.job_id, "rating": 4, "tags": ["motion", "faces_hands"]},
        content_type="application/json",
    )
    assert ok.status_code == 201 and ok.json()["tags"] == ["faces_hands", "motion"]
    bad = client.post(
        "/api/v1/feedback/",
        {"kind": "output", "job": theirs.job_id, "rating": 4, "tags": ["bogus"]},
        content_type="application/json",
    )
    assert set(bad.json()["fields"]) == {"job", "tags"}


def test_safety_finding_lists_only_own_jobs(client, artist, other_artist, make_output):
    theirs = make_output(other_artist)
    client.force_login(artist)
    response = client.post(
        "/api/v1/feedback/",
        {
            "kind": "safety",
            "title": "Policy bypass",
            "severity": "high",
            "category": "policy_bypass",
            "prompts": "a d e e p f a k e",
            "job_ids": [theirs.job_id],
        },
        content_type="application/json",
    )
    assert response.json()["fields"]["job_ids"][0]["message"] == "List only your own job numbers."


def test_portal_form_keeps_the_draft_on_error(client, artist):
    client.force_login(artist)
    response = client.post(
        "/feedback/new/bug/",
        {"title": "Player freezes", "steps": "Press play twice", "severity": ""},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert 'value="Player freezes"' in html and "Press play twice" in html
    assert 'aria-invalid="true" aria-describedby="e-severity"' in html
    assert not FeedbackItem.objects.exists()


def test_staff_and_unsigned_artists_cannot_file(client, reviewer, unsigned_artist):
    client.force_login(reviewer)
    assert client.post("/api/v1/feedback/", BUG).status_code == 403
    client.force_login(unsigned_artist)
    assert client.post("/api/v1/feedback/", BUG).json()["code"] == "agreement_required"


def test_screenshots_only_on_bug_reports(client, artist, png_upload):
    client.force_login(artist)
    response = client.post(
        "/api/v1/feedback/",
        {
            "kind": "feature",
            "title": "Loop",
            "comment": "Loop playback",
            "screenshots": [png_upload()],
        },
    )
    assert "screenshots" in response.json()["fields"]


def test_uploaded_file_objects_are_checked_not_trusted(artist):
    from django.core.exceptions import ValidationError

    from feedback.services import feedback_submit

    fake = SimpleUploadedFile(
        "shot.webp", b"RIFF\x00\x00\x00\x00WEBPVP8 garbage", content_type="image/webp"
    )
    with pytest.raises(ValidationError) as error:
        feedback_submit(reporter=artist, kind="bug", data=BUG, screenshots=[fake])
    assert "screenshots" in error.value.message_dict
