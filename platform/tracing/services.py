"""Trace a suspect video to the job, and so the account, that made it (decision 0011)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import transaction

from accounts.models import User
from accounts.permissions import RUN_PROGRAM, require
from audit.services import audit_record
from domain.errors import DomainError
from generation.watermark import WatermarkError, detect_file
from jobs.models import Job

# Tracing names the account behind a leak: a containment power, like the kill switches.
TRACE_PERMISSION = RUN_PROGRAM


class NotAVideo(DomainError):
    """The suspect file could not be decoded as video."""

    code = "not_a_video"
    http_status = 400


@dataclass(frozen=True)
class TraceResult:
    """What a trace found. ``job`` is set only for a verified mark of an existing job;
    ``confidence`` is the normalised correlation (0..1) of the best decode either way."""

    job: Job | None
    confidence: float
    threshold: float
    frames: int
    sha256: str

    @property
    def found(self) -> bool:
        return self.job is not None

    @property
    def summary(self) -> str:
        if self.job is None:
            return (
                f"No mark found (best confidence {self.confidence:.2f}, "
                f"needs {self.threshold:.2f}; {self.frames} frames read)."
            )
        artist = self.job.artist
        return (
            f"Job {self.job.pk} by {artist.email} (cohort {self.job.cohort.name}), "
            f"confidence {self.confidence:.2f} (threshold {self.threshold:.2f}; "
            f"{self.frames} frames read)."
        )


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def trace_video(*, path: Path, actor: User | None, name: str = "") -> TraceResult:
    """Read the forensic mark of the video at ``path`` and name its job, or none.

    A decode counts only when its MAC verifies under our key, its confidence reaches
    ``WATERMARK_THRESHOLD`` and the job exists. Every trace is audited (who, which file
    by hash, what it found). ``actor`` None is an operator at the command line. Raises
    NotAllowed for anyone but a program admin, NotAVideo for a file ffmpeg can't decode.
    """

    require(
        actor=actor,
        perm=TRACE_PERMISSION,
        missing="system",  # an operator at the command line
        message="Only program admins may trace videos.",
    )
    digest = _sha256(path)
    try:
        detection = detect_file(
            path,
            key=settings.WATERMARK_KEY.encode(),
            threshold=settings.WATERMARK_THRESHOLD,
        )
    except WatermarkError as error:
        raise NotAVideo(f"That file is not a video we can read ({error}).") from error
    job = None
    if detection.job_id is not None:
        job = Job.objects.select_related("artist", "cohort").filter(pk=detection.job_id).first()
    result = TraceResult(
        job=job,
        confidence=detection.confidence,
        threshold=detection.threshold,
        frames=detection.frames,
        sha256=digest,
    )
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="trace.video",
            target=job,
            data={
                "file_name": name or path.name,
                "file_sha256": digest,
                "found": result.found,
                "job_id": job.pk if job else None,
                "account": job.artist.email if job else None,
                "confidence": round(detection.confidence, 4),
                "frames": detection.frames,
            },
        )
    return result
