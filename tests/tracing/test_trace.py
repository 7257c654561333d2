"""Tracing a leaked clip: the marks a job's output carries, the trace page and command."""

from __future__ import annotations

import subprocess
from io import StringIO
from pathlib import Path

import numpy as np
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.utils import timezone

from accounts.models import User
from accounts.services import user_set_public_credit
from audit.models import AuditEvent
from domain.errors import NotAllowed
from generation.encoding import encode_mp4
from jobs.marks import artist_handle, output_marks_apply, visible_mark_text
from jobs.models import Job, JobStatus
from tests.generation.test_watermark import picture_clip
from tracing.services import trace_video

pytestmark = pytest.mark.django_db
URL = "/staff/trace/"


def make_job(artist: User, *, size: int = 256, frames: int = 33) -> Job:
    now = timezone.now()
    assert artist.cohort is not None
    return Job.objects.create(
        artist=artist, cohort=artist.cohort, prompt="a lighthouse in fog", duration_seconds=2,
        resolution="480p", aspect_ratio="1:1", seed=3, model="tiny-wan", num_frames=frames,
        width=size, height=size, fps=16, steps=4, guidance=5.0, status=JobStatus.SUCCEEDED,
        progress=1.0, attempt=1, started_at=now, finished_at=now,
    )  # fmt: skip


def leaked_copy(job: Job, folder: Path) -> Path:
    """The job's output as the worker marks it, then re-encoded at CRF 28 by the leaker."""
    frames = picture_clip(job.pk, width=job.width, height=job.height, frames=job.num_frames)
    delivered = folder / "delivered.mp4"
    encode_mp4(output_marks_apply(job, frames), fps=job.fps, path=delivered)
    leaked = folder / "leaked.mp4"
    subprocess.run(
        ["ffmpeg", "-nostdin", "-loglevel", "error", "-y", "-i", str(delivered),
         "-c:v", "libx264", "-crf", "28", str(leaked)],
        check=True,
    )  # fmt: skip
    return leaked


@pytest.fixture
def leaked(artist: User, tmp_path: Path) -> tuple[Job, Path]:
    job = make_job(artist)
    return job, leaked_copy(job, tmp_path)


@pytest.fixture
def unmarked(tmp_path: Path) -> Path:
    path = tmp_path / "unmarked.mp4"
    encode_mp4(picture_clip(99, width=256, height=256, frames=33), fps=16, path=path)
    return path


def upload(path: Path, name: str = "suspect.mp4") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, path.read_bytes(), content_type="video/mp4")


def test_program_admin_traces_a_leaked_clip_to_the_account(client, program_admin, leaked):
    job, path = leaked
    client.force_login(program_admin)
    page = client.get(URL)
    assert page.status_code == 200
    assert f'href="{URL}"' in page.content.decode()  # reachable from the staff navigation
    response = client.post(URL, {"video": upload(path)})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Mark found" in page
    assert "alice@example.com" in page and "Wave 1" in page
    assert f"/generations/{job.pk}/" in page
    event = AuditEvent.objects.get(action="trace.video")
    assert event.actor == program_admin
    assert event.object_id == str(job.pk)
    assert event.data["found"] is True and event.data["account"] == "alice@example.com"
    assert event.data["file_name"] == "suspect.mp4"


def test_unmarked_video_says_no_mark_found(client, program_admin, unmarked):
    client.force_login(program_admin)
    response = client.post(URL, {"video": upload(unmarked)})
    assert response.status_code == 200
    assert "No mark found" in response.content.decode()
    event = AuditEvent.objects.get(action="trace.video")
    assert event.data["found"] is False and event.object_id == ""


@pytest.mark.parametrize("who", ["artist", "reviewer", "outsider"])
def test_only_program_admins_may_trace(client, request, who, unmarked):
    client.force_login(request.getfixturevalue(who))
    # 403, or for an account outside the program the NDA gate's redirect comes first
    refused = (403,) if who != "outsider" else (302, 403)
    assert client.get(URL).status_code in refused
    assert client.post(URL, {"video": upload(unmarked)}).status_code in refused
    assert not AuditEvent.objects.filter(action="trace.video").exists()


def test_anonymous_visitors_may_not_trace(client):
    assert client.get(URL).status_code in (302, 403)


def test_service_refuses_other_roles(reviewer, unmarked):
    with pytest.raises(NotAllowed):
        trace_video(path=unmarked, actor=reviewer)


def test_a_file_that_is_not_video_gets_a_clear_error(client, program_admin):
    client.force_login(program_admin)
    text = SimpleUploadedFile("notes.mp4", b"meeting notes\n" * 100, content_type="video/mp4")
    response = client.post(URL, {"video": text})
    assert response.status_code == 400
    assert "not a video we can read" in response.content.decode()
    assert 'aria-invalid="true"' in response.content.decode()


def test_uploads_over_the_limit_are_refused(client, program_admin, settings):
    settings.WATERMARK_TRACE_MAX_UPLOAD_MB = 1
    client.force_login(program_admin)
    big = SimpleUploadedFile("big.mp4", b"\0" * (1024 * 1024 + 1), content_type="video/mp4")
    response = client.post(URL, {"video": big})
    assert response.status_code == 400
    assert "larger than 1 MB" in response.content.decode()
    assert not AuditEvent.objects.filter(action="trace.video").exists()


def test_command_prints_job_account_and_confidence(leaked):
    job, path = leaked
    out = StringIO()
    call_command("trace_video", str(path), stdout=out)
    text = out.getvalue()
    assert "Mark found." in text
    assert f"job:        {job.pk}" in text
    assert "account:    alice@example.com" in text and "cohort:     Wave 1" in text
    assert "confidence: " in text
    assert AuditEvent.objects.get(action="trace.video").actor is None


def test_command_says_no_mark_found(unmarked):
    out = StringIO()
    call_command("trace_video", str(unmarked), stdout=out)
    assert out.getvalue().startswith("No mark found")


def test_command_refuses_missing_and_non_video_files(tmp_path):
    with pytest.raises(CommandError, match="No such file"):
        call_command("trace_video", str(tmp_path / "nope.mp4"))
    junk = tmp_path / "junk.bin"
    junk.write_bytes(b"\x00\x01" * 1000)
    with pytest.raises(CommandError, match="not a video"):
        call_command("trace_video", str(junk))


def test_a_job_that_no_longer_exists_is_no_mark(artist, tmp_path):
    job = make_job(artist)
    path = leaked_copy(job, tmp_path)
    Job.objects.filter(pk=job.pk).delete()
    assert not trace_video(path=path, actor=None).found


def test_visible_mark_follows_the_cohort_option(artist):
    job = make_job(artist, size=128, frames=3)
    frames = picture_clip(5, width=128, height=128, frames=3)
    forensic_only = output_marks_apply(job, frames)
    assert np.abs(forensic_only.astype(int) - frames).max() <= 8  # invisible: small offsets
    job.cohort.visible_watermark = True
    job.cohort.save()
    with_text = output_marks_apply(job, frames)
    assert np.abs(with_text.astype(int) - frames).max() > 40  # text drawn on the picture
    # The mark is in the published video: the public byline, never the signed name.
    assert visible_mark_text(job) == "Vernissage · An invited artist"
    user_set_public_credit(user=artist, credit="Harbour Films")
    assert visible_mark_text(job) == "Vernissage · Harbour Films"


def test_handle_is_never_the_legal_name_or_the_email(artist, outsider):
    assert artist.full_name == "Alice Artist"
    assert artist_handle(artist) == artist_handle(outsider) == "An invited artist"
