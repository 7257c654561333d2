"""The worker side of a job: claim it, keep its lease, render, encode, store, finish.

Every write names the attempt this worker claimed (fencing): once the reaper re-queues a
job, a slow or partitioned worker's writes touch no row and it stops.
"""

from __future__ import annotations

import logging
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.files import File
from django.db import close_old_connections, connection, transaction
from django.db.models import F, QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone

from jobs.errors import LeaseLost
from jobs.heartbeats import with_job_log_context, worker_name
from jobs.marks import output_marks_apply
from jobs.models import Job, JobStatus, Output
from jobs.pipelines import registry
from jobs.queue import job_publish
from jobs.storage import private_storage
from moderation.services import review_item_create
from notifications.services import video_ready_notify
from provenance.services import output_sign

if TYPE_CHECKING:
    import numpy as np

    from generation.registry import LoadedPipeline

log = logging.getLogger(__name__)

# Denoising fills progress up to here; decoding and encoding the rest.
STEPS_SHARE = 0.9


def _lease_until() -> datetime:
    return timezone.now() + timedelta(seconds=settings.GENERATION_LEASE_SECONDS)


def job_claim(*, job_id: int) -> Job | None:
    """Take a queued job: a conditional UPDATE that must touch exactly one row. Returns
    None when someone else has it or it is no longer queued (a duplicate message)."""
    now = timezone.now()
    claimed = Job.objects.filter(
        pk=job_id, status=JobStatus.QUEUED, attempt__lt=F("max_attempts")
    ).update(
        status=JobStatus.RUNNING,
        attempt=F("attempt") + 1,
        lease_expires_at=_lease_until(),
        started_at=Coalesce(F("started_at"), now),
        worker=worker_name(),
        progress=0.0,
    )
    return Job.objects.get(pk=job_id) if claimed == 1 else None


def _mine(job: Job) -> QuerySet[Job]:
    return Job.objects.filter(pk=job.pk, status=JobStatus.RUNNING, attempt=job.attempt)


class Heartbeat:
    """Renews the lease from a background thread while the job runs."""

    def __init__(self, job: Job) -> None:
        self.job = job
        self.lost = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"heartbeat-{job.pk}", daemon=True)

    def __enter__(self) -> Heartbeat:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def _run(self) -> None:
        interval = max(0.5, settings.GENERATION_LEASE_SECONDS / 3)
        try:
            while not self._stop.wait(interval):
                if _mine(self.job).update(lease_expires_at=_lease_until()) != 1:
                    self.lost.set()
                    return
        except Exception:
            log.exception("heartbeat for job %s failed", self.job.pk)
        finally:
            connection.close()


class StepReporter:
    """The pipeline's per-step callback: writes progress (throttled), renews nothing,
    and stops the render when the job was cancelled or is no longer ours."""

    def __init__(self, job: Job, heartbeat: Heartbeat) -> None:
        self.job = job
        self.heartbeat = heartbeat
        self._last_write = 0.0

    def __call__(self, done: int, total: int) -> None:
        # local import: the gpu extra (ffmpeg-python, torch) is not on web machines
        from generation.runner import RenderCanceled

        if self.heartbeat.lost.is_set():
            raise LeaseLost()
        row = Job.objects.filter(pk=self.job.pk).values("status", "attempt", "cancel_requested_at")
        state = row.first()
        if (
            state is None
            or state["status"] != JobStatus.RUNNING
            or state["attempt"] != self.job.attempt
        ):
            raise LeaseLost()
        if state["cancel_requested_at"] is not None:
            raise RenderCanceled()
        now = time.monotonic()
        if done == 1:
            self.write(STEPS_SHARE * done / total, first_step_at=timezone.now())
            self._last_write = now
        elif done == total or now - self._last_write >= settings.GENERATION_PROGRESS_WRITE_SECONDS:
            self.write(STEPS_SHARE * done / total)
            self._last_write = now

    def write(self, progress: float, **extra: object) -> None:
        if _mine(self.job).update(progress=progress, **extra) != 1:
            raise LeaseLost()


@with_job_log_context  # log lines carry the job id and the submitting request's id
def job_run(*, job_id: int) -> str:
    """Run one job to its end. Returns what happened (for logs and tests)."""
    # local import: the gpu extra (ffmpeg-python, torch) is not on web machines
    from generation.runner import RenderCanceled

    close_old_connections()
    job = job_claim(job_id=job_id)
    if job is None:
        log.info("job %s: not claimable (duplicate delivery, canceled or done); skipping", job_id)
        return "skipped"
    log.info("job %s: attempt %s on %s", job.pk, job.attempt, job.worker)
    try:
        with Heartbeat(job) as heartbeat:
            reporter = StepReporter(job, heartbeat)
            loaded = registry().get(job.model)
            _mine(job).update(pipeline_loaded_at=datetime.fromtimestamp(loaded.loaded_at, tz=UTC))
            frames = _render(job, loaded, reporter)
            reporter.write(0.95)
            output = _encode_and_store(job, frames)
        return f"succeeded:{output.pk}"
    except RenderCanceled:
        _mine(job).update(
            status=JobStatus.CANCELED, finished_at=timezone.now(), lease_expires_at=None
        )
        log.info("job %s: canceled", job.pk)
        return "canceled"
    except LeaseLost:
        log.warning(
            "job %s: lease lost (re-queued elsewhere); stopping attempt %s", job.pk, job.attempt
        )
        return "lease_lost"
    except Exception:
        log.exception("job %s: attempt %s failed", job.pk, job.attempt)
        return _after_error(job)


def _render(job: Job, loaded: LoadedPipeline, reporter: StepReporter) -> np.ndarray:
    # local import: the gpu extra (ffmpeg-python, torch) is not on web machines
    from generation.runner import RenderRequest, render

    request = RenderRequest(
        prompt=job.prompt,
        negative_prompt=job.negative_prompt,
        num_frames=job.num_frames,
        height=job.height,
        width=job.width,
        seed=job.seed,
        steps=job.steps,
        guidance=job.guidance,
    )
    return render(loaded, request, reporter)


def _encode_and_store(job: Job, frames: np.ndarray) -> Output:
    # local import: the gpu extra (ffmpeg-python, torch) is not on web machines
    from generation.encoding import encode_mp4, probe, sha256_of, write_poster

    storage = private_storage()
    with tempfile.TemporaryDirectory(prefix=f"job-{job.pk}-") as folder:
        video_path = Path(folder) / "video.mp4"
        poster_path = Path(folder) / "poster.jpg"
        frames = output_marks_apply(job, frames)  # visible (cohort option) + forensic
        encode_mp4(frames, fps=job.fps, path=video_path)
        # Provenance is the last change to the file; hash and size are of the signed video.
        output_sign(job=job, path=video_path)
        write_poster(frames, path=poster_path)
        info = probe(video_path)
        digest = sha256_of(video_path)
        size = video_path.stat().st_size
        stem = f"outputs/{timezone.now():%Y/%m/%d}/job-{job.pk}-a{job.attempt}"
        with video_path.open("rb") as handle:
            video_name = storage.save(f"{stem}.mp4", File(handle))
        with poster_path.open("rb") as handle:
            poster_name = storage.save(f"{stem}.jpg", File(handle))
    try:
        with transaction.atomic():
            # A cancel is honoured until this commit (issue 14): the artist was told
            # "cancelling", so a video finished after it is not stored.
            if (
                _mine(job)
                .filter(cancel_requested_at__isnull=True)
                .update(
                    status=JobStatus.SUCCEEDED,
                    progress=1.0,
                    finished_at=timezone.now(),
                    lease_expires_at=None,
                )
                != 1
            ):
                # local import: the gpu extra (ffmpeg-python, torch) is not on web machines
                from generation.runner import RenderCanceled

                if _mine(job).filter(cancel_requested_at__isnull=False).exists():
                    raise RenderCanceled()
                raise LeaseLost()
            output = Output.objects.create(
                job=job,
                video=video_name,
                poster=poster_name,
                width=info.width,
                height=info.height,
                fps=info.fps,
                frame_count=info.frame_count,
                duration_seconds=info.duration_seconds,
                codec=info.codec,
                size_bytes=size,
                sha256=digest,
            )
            # Every output waits for a staff decision before anyone else may see it.
            review_item_create(output=output)
            # The artist can watch it now. In this transaction: a stale or cancelled
            # attempt never gets here, and a rollback takes the notification with it.
            video_ready_notify(job=job)
            return output
    except BaseException:
        # Not ours any more (or the database refused): leave no orphan files.
        storage.delete(video_name)
        storage.delete(poster_name)
        raise


def _after_error(job: Job) -> str:
    """Retry on another attempt if any are left; otherwise fail visibly, refunding quota."""
    if job.attempt < job.max_attempts:
        if _mine(job).update(
            status=JobStatus.QUEUED, lease_expires_at=None, worker="", progress=0.0,
            published_to_queue_at=None,
        ) == 1:  # fmt: skip
            job_publish(job_id=job.pk)
            return "retrying"
        return "lease_lost"
    _mine(job).update(
        status=JobStatus.FAILED,
        finished_at=timezone.now(),
        lease_expires_at=None,
        error_code="internal_error",
        error_message=(
            "Something went wrong on our side while making your video. "
            "This didn't count against your daily quota; please try again."
        ),
        quota_refunded=True,
    )
    return "failed"
