"""The worker side of a job: claim it, keep its lease, render, encode, store, finish.

Every write names the attempt this worker claimed (fencing): once the reaper re-queues a
job, a slow or partitioned worker's writes touch no row and it stops.
"""

from __future__ import annotations

import logging
import queue
import shutil
import tempfile
import threading
import time
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.files import File
from django.db import close_old_connections, connection, transaction
from django.db.models import F, QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone
from PIL import Image

from jobs.errors import LeaseLost, RenderTimedOut
from jobs.heartbeats import job_log_context, render_clock, with_job_log_context, worker_name
from jobs.marks import output_marks_apply
from jobs.models import GenerationMode, Job, JobStatus, Output, Shot
from jobs.pipelines import registry
from jobs.policy import prompt_policy_check
from jobs.queue import job_publish
from jobs.scheduling import fair_queue, worker_models
from jobs.storage import private_storage
from jobs.watchdog import RenderWatchdog, render_limit_seconds
from moderation.services import review_item_create, review_item_screened
from notifications.services import video_ready_notify
from provenance.services import output_sign
from screening.services import ScreenResult, screen_frames

if TYPE_CHECKING:
    import numpy as np

    from generation.registry import LoadedPipeline
    from uploads.models import InputImage

log = logging.getLogger(__name__)

# Denoising fills progress up to here; decoding and encoding the rest.
STEPS_SHARE = 0.9


def _lease_until() -> datetime:
    return timezone.now() + timedelta(seconds=settings.GENERATION_LEASE_SECONDS)


def job_claim(*, job_id: int) -> Job | None:
    """Take a queued job: a conditional UPDATE that must touch exactly one row. Returns
    None when someone else has it, it is no longer queued (a duplicate message), or its
    model is not one this worker serves (it never loads another)."""
    now = timezone.now()
    claimed = Job.objects.filter(
        pk=job_id,
        status=JobStatus.QUEUED,
        attempt__lt=F("max_attempts"),
        model__in=worker_models(),
    ).update(
        status=JobStatus.RUNNING,
        attempt=F("attempt") + 1,
        lease_expires_at=_lease_until(),
        started_at=Coalesce(F("started_at"), now),
        worker=worker_name(),
        progress=0.0,
    )
    if claimed != 1:
        return None
    # With its cohort and artist: the marks, the C2PA manifest and the "video ready"
    # notification read them, and would each ask the database again.
    return Job.objects.select_related("cohort", "artist").get(pk=job_id)


# How many of the fairest jobs a claim tries before reading the line again.
CLAIM_CANDIDATES = 8


def job_claim_next(*, models: Sequence[str]) -> Job | None:
    """Take the next job in fair order (``jobs.scheduling``) among ``models`` this worker
    serves, or None when none is waiting. Each candidate is locked with ``SELECT ... FOR
    UPDATE SKIP LOCKED`` (another worker taking it at this moment is skipped, not waited
    for), then claimed by ``job_claim``'s conditional UPDATE, which alone decides: two
    workers never take one job."""
    served = [model for model in models if model in worker_models()]
    for _ in range(3):  # the line moved under us this many times: give up (the reaper wakes)
        line = fair_queue(models=served, now=timezone.now(), limit=CLAIM_CANDIDATES)
        if not line:
            return None
        for row in line:
            with transaction.atomic():
                free = (
                    Job.objects.select_for_update(skip_locked=True)
                    .filter(pk=row["id"], status=JobStatus.QUEUED)
                    .values_list("pk", flat=True)
                    .first()
                )
                job = job_claim(job_id=free) if free is not None else None
            if job is not None:
                return job
    return None


def job_wake(*, job_id: int, overlap: bool = False) -> str:
    """A broker message (a wake-up for ``job_id``): claim the next fair job of that job's
    model and run it (``overlap``: as ``job_run``). Someone else may have taken ``job_id``
    already, or it was cancelled: the wake-up then runs the next fair one, or nothing."""
    close_old_connections()
    model = Job.objects.filter(pk=job_id).values_list("model", flat=True).first()
    if model is None or model not in worker_models():
        log.warning("wake-up for job %s (model %s): not a model this worker serves", job_id, model)
        return "skipped"
    job = job_claim_next(models=[model])
    if job is None:
        log.info(
            "wake-up for job %s: not claimable (duplicate delivery, canceled or done) and "
            "no other %s job waiting; skipping",
            job_id,
            model,
        )
        return "skipped"
    return job_run(job_id=job.pk, claimed=job, overlap=overlap)


def _mine(job: Job) -> QuerySet[Job]:
    return Job.objects.filter(pk=job.pk, status=JobStatus.RUNNING, attempt=job.attempt)


class Heartbeat:
    """Renews the lease from a background thread while the job runs, and notices on the
    way whether the job is still this attempt's (``lost``) and whether a cancel was asked
    (``canceled``): the step callback reads these events between its own checks."""

    def __init__(self, job: Job) -> None:
        self.job = job
        self.lost = threading.Event()
        self.canceled = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"heartbeat-{job.pk}", daemon=True)

    def __enter__(self) -> Heartbeat:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def beat(self) -> bool:
        """Renew the lease once (fenced by attempt). One statement while nobody asked to
        cancel; a second one tells a cancel (the lease is still renewed: the attempt ends
        itself, canceled, at its next check) from a job that is no longer this
        attempt's (``lost``). Returns False when there is nothing left to renew."""
        renewed = (
            _mine(self.job)
            .filter(cancel_requested_at__isnull=True)
            .update(lease_expires_at=_lease_until())
        )
        if renewed == 1:
            return True
        if _mine(self.job).update(lease_expires_at=_lease_until()) == 1:
            self.canceled.set()
            return True
        self.lost.set()
        return False

    def _run(self) -> None:
        interval = max(0.5, settings.GENERATION_LEASE_SECONDS / 3)
        try:
            while not self._stop.wait(interval):
                if not self.beat():
                    return
        except Exception:
            log.exception("heartbeat for job %s failed", self.job.pk)
        finally:
            connection.close()


class StepReporter:
    """The pipeline's per-step callback: stops the render when the job was cancelled or
    is no longer this attempt's, or when it ran past ``deadline`` (``time.monotonic()``;
    its model's time limit, ``jobs.watchdog``).

    It asks the database at most every ``GENERATION_PROGRESS_WRITE_SECONDS`` (and at the
    first and last step): one progress UPDATE, fenced by attempt and conditional on no
    cancel, whose miss is read once to tell a cancel from a lost lease. Between those
    writes it reads the heartbeat's events, which the lease renewal sets. A cancel or a
    lost lease therefore stops the render at its first step after the next write or
    beat: a quarter of a second by default, or one step when steps take longer."""

    def __init__(
        self,
        job: Job,
        heartbeat: Heartbeat,
        *,
        deadline: float | None = None,
        first_write: dict[str, object] | None = None,
    ) -> None:
        self.job = job
        self.heartbeat = heartbeat
        self.deadline = deadline
        # Written along with the first step's progress (one statement fewer per job).
        self.first_write = first_write or {}
        self._last_write = 0.0

    def __call__(self, done: int, total: int) -> None:
        # local import: the gpu extra (ffmpeg-python, torch) is not on web machines
        from generation.runner import RenderCanceled

        if self.heartbeat.lost.is_set():
            raise LeaseLost()
        if self.heartbeat.canceled.is_set():
            raise RenderCanceled()
        now = time.monotonic()
        if self.deadline is not None and now >= self.deadline:
            raise RenderTimedOut()
        if done == 1:
            self.write(STEPS_SHARE * done / total, first_step_at=timezone.now(), **self.first_write)
            self._last_write = now
        elif done == total or now - self._last_write >= settings.GENERATION_PROGRESS_WRITE_SECONDS:
            self.write(STEPS_SHARE * done / total)
            self._last_write = now

    def write(self, progress: float, **extra: object) -> None:
        """Progress, fenced by attempt and only while no cancel was asked: RenderCanceled
        or LeaseLost otherwise."""
        if (
            _mine(self.job)
            .filter(cancel_requested_at__isnull=True)
            .update(progress=progress, **extra)
            == 1
        ):
            return
        _stop_reason(self.job)


def _stop_reason(job: Job) -> None:
    """A fenced write that had to see no cancel missed: raise why (one read)."""
    # local import: the gpu extra (ffmpeg-python, torch) is not on web machines
    from generation.runner import RenderCanceled

    if _mine(job).filter(cancel_requested_at__isnull=False).exists():
        raise RenderCanceled()
    raise LeaseLost()


@with_job_log_context  # log lines carry the job id and the submitting request's id
def job_run(*, job_id: int, claimed: Job | None = None, overlap: bool = False) -> str:
    """Run one job to its end (``claimed``: already claimed by ``job_claim_next``).
    Returns what happened (for logs and tests).

    With ``overlap`` (the Celery task) and ``VERNISSAGE_POST_PROCESSING_SLOTS`` above 0,
    the rendered output goes to this process's post-processing threads
    (``PostProcessing``) and this returns ``"rendered"`` at once, so the worker renders
    the next job while this one is marked, encoded, signed and stored; the job's own
    outcome is logged (``job N: finished: ...``) when its post-processing ends. The
    heartbeat keeps the lease until then: the job is running until its success commits."""
    close_old_connections()
    job = claimed if claimed is not None else job_claim(job_id=job_id)
    if job is None:
        log.info("job %s: not claimable (duplicate delivery, canceled or done); skipping", job_id)
        return "skipped"
    log.info("job %s: attempt %s on %s", job.pk, job.attempt, job.worker)
    # local import: jobs.batches builds on this module (two modules of one app)
    from jobs.batches import batch_members, batch_run

    members = batch_members(job)  # the submission's other variations, rendered with it
    if members:
        return batch_run([job, *members], overlap=overlap)
    heartbeat: Heartbeat | None = Heartbeat(job).__enter__()
    try:
        assert heartbeat is not None
        try:
            frames = _render_stage(job, heartbeat)
        except Exception as error:
            return _finished(job, _outcome_of(job, error))
        post = post_processing() if overlap else None
        if post is None:
            return _finished(job, _post_process(job, frames, heartbeat))
        post.submit(job=job, frames=frames, heartbeat=heartbeat)  # waits for a free slot
        heartbeat = None  # the post-processing thread stops it, after the commit
        return "rendered"
    finally:
        if heartbeat is not None:
            heartbeat.__exit__()


def _render_stage(job: Job, heartbeat: Heartbeat) -> np.ndarray:
    """Render under the model's time limit, then write the render's end (progress 0.95,
    fenced and refused once a cancel was asked)."""
    loaded = registry().get(job.model)
    loaded_at = datetime.fromtimestamp(loaded.loaded_at, tz=UTC)
    with _watchdog(job) as watchdog:
        reporter = StepReporter(
            job,
            heartbeat,
            deadline=watchdog.deadline,
            first_write={"pipeline_loaded_at": loaded_at},
        )
        render_clock.render_started(queued_at=job.created_at)
        try:
            frames = _render(job, loaded, reporter)
        finally:
            render_clock.render_ended()
    reporter.write(0.95, rendered_at=timezone.now())
    return frames


def _post_process(job: Job, frames: np.ndarray, heartbeat: Heartbeat) -> str:
    """Marks, encode, C2PA, poster, probe, store and the success transaction, under the
    same time limit as the render (a stuck encode ends the process too; the lease then
    lapses and the reaper re-queues). What happened, as ``job_run`` says it."""
    # local import: the gpu extra (ffmpeg-python, torch) is not on web machines
    from generation.runner import RenderCanceled

    try:
        # Noticed by the heartbeat while the output waited for a slot: don't encode it.
        if heartbeat.lost.is_set():
            raise LeaseLost()
        if heartbeat.canceled.is_set():
            raise RenderCanceled()
        with _watchdog(job):
            output = _encode_and_store(job, frames)
        return f"succeeded:{output.pk}"
    except Exception as error:
        return _outcome_of(job, error)


def _outcome_of(job: Job, error: Exception) -> str:
    """The attempt ended with ``error``: write what follows (canceled, retried or failed;
    nothing once the lease is lost) and say what happened."""
    # local import: the gpu extra (ffmpeg-python, torch) is not on web machines
    from generation.runner import RenderCanceled

    if isinstance(error, RenderCanceled):
        _mine(job).update(
            status=JobStatus.CANCELED, finished_at=timezone.now(), lease_expires_at=None
        )
        log.info("job %s: canceled", job.pk)
        return "canceled"
    if isinstance(error, LeaseLost):
        log.warning(
            "job %s: lease lost (re-queued elsewhere); stopping attempt %s", job.pk, job.attempt
        )
        return "lease_lost"
    if isinstance(error, RenderTimedOut):
        log.warning("job %s: attempt %s ran past its time limit; stopped", job.pk, job.attempt)
        return _after_error(job, code="render_timeout")
    log.error("job %s: attempt %s failed", job.pk, job.attempt, exc_info=error)
    return _after_error(job)


def _finished(job: Job, outcome: str) -> str:
    log.info("job %s: finished: %s", job.pk, outcome)
    return outcome


class _PostItem:
    def __init__(self, job: Job, frames: np.ndarray, heartbeat: Heartbeat) -> None:
        self.job, self.frames, self.heartbeat = job, frames, heartbeat

    def run(self) -> None:
        try:
            close_old_connections()
            with job_log_context(self.job):
                _finished(self.job, _post_process(self.job, self.frames, self.heartbeat))
        except Exception:  # never lose the thread; the lease and the reaper cover the job
            log.exception("job %s: post-processing failed", self.job.pk)
        finally:
            self.frames = None  # type: ignore[assignment]
            self.heartbeat.__exit__()


class PostProcessing:
    """A worker process's post-processing threads (``slots`` of them, one output each):
    ``submit`` hands over a rendered output and waits while every slot is taken, so at
    most ``slots`` outputs are in post and one more is held by the render thread. Each
    thread has its own database connection, closed when it ends (``close``)."""

    def __init__(self, *, slots: int) -> None:
        self.slots = slots
        self._room = threading.BoundedSemaphore(slots)
        self._work: queue.SimpleQueue[_PostItem | None] = queue.SimpleQueue()
        self._busy = 0
        self._changed = threading.Condition()
        self._threads = [
            threading.Thread(target=self._serve, name=f"post-processing-{i}", daemon=True)
            for i in range(slots)
        ]
        for thread in self._threads:
            thread.start()

    def submit(self, *, job: Job, frames: np.ndarray, heartbeat: Heartbeat) -> None:
        self._room.acquire()
        with self._changed:
            self._busy += 1
        self._work.put(_PostItem(job, frames, heartbeat))

    def in_post(self) -> int:
        """How many outputs are in post now (waiting for a thread or being processed)."""
        with self._changed:
            return self._busy

    def drain(self, timeout: float | None = None) -> bool:
        """Wait until no output is in post; False if ``timeout`` ran out first."""
        with self._changed:
            return self._changed.wait_for(lambda: self._busy == 0, timeout)

    def close(self) -> None:
        """Drain, then end the threads (each closes its database connection)."""
        self.drain()
        for _ in self._threads:
            self._work.put(None)
        for thread in self._threads:
            thread.join()

    def _serve(self) -> None:
        try:
            while (item := self._work.get()) is not None:
                try:
                    item.run()
                finally:
                    self._room.release()
                    with self._changed:
                        self._busy -= 1
                        self._changed.notify_all()
        finally:
            connection.close()


_post_processing: PostProcessing | None = None
_post_processing_lock = threading.Lock()


def post_processing() -> PostProcessing | None:
    """This process's post-processing threads, started on first use; None when
    ``VERNISSAGE_POST_PROCESSING_SLOTS`` is 0 (post-processing inline)."""
    global _post_processing
    slots = settings.GENERATION_POST_PROCESSING_SLOTS
    if slots <= 0:
        return None
    with _post_processing_lock:
        if _post_processing is None or _post_processing.slots != slots:
            if _post_processing is not None:
                _post_processing.close()
            _post_processing = PostProcessing(slots=slots)
        return _post_processing


def post_processing_drain() -> None:
    """A warm shutdown: finish every output in post, then end the threads."""
    global _post_processing
    with _post_processing_lock:
        if _post_processing is not None:
            log.info("finishing %s output(s) in post before exit", _post_processing.in_post())
            _post_processing.close()
            _post_processing = None


def _watchdog(job: Job) -> RenderWatchdog:
    """The model's time limit, from now: checked at every step, and enforced by ending
    this process when the render (or the output's post-processing) is stuck
    (``jobs.watchdog``)."""
    return RenderWatchdog(
        job_id=job.pk,
        # A storyboard renders each shot's steps.
        limit_seconds=render_limit_seconds(
            model=job.model,
            steps=job.steps * (job.shots.count() if job.mode == GenerationMode.STORYBOARD else 1),
        ),
        grace_seconds=settings.GENERATION_RENDER_KILL_GRACE_SECONDS,
        on_hard_limit=lambda: _after_error(job, code="render_timeout"),
    )


def _render(job: Job, loaded: LoadedPipeline, reporter: StepReporter) -> np.ndarray:
    """The job's frames: one render, or a storyboard's shots one after another (their
    frames end to end; progress runs across them), or an extension's continuation."""
    # local import: the gpu extra (ffmpeg-python, torch) is not on web machines
    from generation.runner import RenderRequest, render

    shots = list(job.shots.all()) if job.mode == GenerationMode.STORYBOARD else []
    if shots:
        return _render_shots(job, shots, reporter)
    request = RenderRequest(
        prompt=job.prompt,
        negative_prompt=job.negative_prompt,
        num_frames=job.num_frames,
        height=job.height,
        width=job.width,
        seed=job.seed,
        steps=job.steps,
        guidance=job.guidance,
        start_image=_extend_start(job) if job.extends_id else _input_image(job.start_image),
        end_image=_input_image(job.end_image),
    )
    frames = render(loaded, request, reporter)
    # An extension's first frame is its parent's last: keep it once, in the parent.
    return frames[1:] if job.extends_id else frames


def _render_shots(job: Job, shots: list[Shot], reporter: StepReporter) -> np.ndarray:
    """A storyboard: each shot by its own model, from its own start image if it has one,
    at the job's size; progress is the share of all the shots' steps done. A cancel
    stops it at the next step, in a shot or between two."""
    import numpy

    # local import: the gpu extra (ffmpeg-python, torch) is not on web machines
    from generation.runner import RenderRequest, render

    rendered = []
    for shot in shots:
        request = RenderRequest(
            prompt=shot.prompt,
            negative_prompt=job.negative_prompt,
            num_frames=shot.num_frames,
            height=job.height,
            width=job.width,
            seed=job.seed,
            steps=job.steps,
            guidance=job.guidance,
            start_image=_input_image(shot.start_image),
        )
        before = shot.position * job.steps
        total = len(shots) * job.steps

        def on_step(done: int, _steps: int, before: int = before, total: int = total) -> None:
            reporter(before + done, total)

        rendered.append(render(registry().get(shot.model), request, on_step))
    return numpy.concatenate(rendered)


def _input_image(image: InputImage | None) -> Image.Image | None:
    """An input image (a start or end image), read from private storage (local or S3)."""
    if image is None:
        return None
    with image.file.open("rb") as handle:
        picture = Image.open(handle)
        picture.load()
    return picture.convert("RGB")


def _extend_start(job: Job) -> np.ndarray:
    """Where an extension starts: the last frame of its parent's stored video."""
    # local import: the gpu extra (ffmpeg-python, torch) is not on web machines
    from generation.encoding import last_frame

    with tempfile.TemporaryDirectory(prefix=f"job-{job.pk}-parent-") as folder:
        path = _parent_video(job, Path(folder))
        return last_frame(path)


def _parent_video(job: Job, folder: Path) -> Path:
    """A copy of an extension's parent video in ``folder`` (from local storage or S3)."""
    assert job.extends is not None
    path = folder / "parent.mp4"
    with job.extends.output.video.open("rb") as source, path.open("wb") as copy:
        shutil.copyfileobj(source, copy)
    return path


def _encode_video(job: Job, frames: np.ndarray, *, path: Path) -> None:
    """The job's video at ``path``: its frames encoded; a storyboard's shots encoded one
    by one and cut together, an extension's continuation cut onto its parent's video
    (ffmpeg's concat, no re-encode: both were encoded alike, so no seam in size or
    pace; ``concat_mp4`` refuses parts that differ)."""
    # local import: the gpu extra (ffmpeg-python, torch) is not on web machines
    from generation.encoding import concat_mp4, encode_mp4

    folder = path.parent
    if job.extends_id:
        continuation = folder / "continuation.mp4"
        encode_mp4(frames, fps=job.fps, path=continuation)
        concat_mp4([_parent_video(job, folder), continuation], path=path)
        return
    shots = list(job.shots.all()) if job.mode == GenerationMode.STORYBOARD else []
    if not shots:
        encode_mp4(frames, fps=job.fps, path=path)
        return
    parts, start = [], 0
    for shot in shots:
        part = folder / f"shot-{shot.position}.mp4"
        encode_mp4(frames[start : start + shot.num_frames], fps=job.fps, path=part)
        parts.append(part)
        start += shot.num_frames
    concat_mp4(parts, path=path)


def _prescreen(job: Job, frames: np.ndarray) -> ScreenResult:
    """The pre-screen of the frames as encoded, with the prompt policy's verdict on the
    job's prompts as the rules stand now (issue 18). Flags order and mark the review
    queue; they never decide. A classifier failure comes back as "not screened"."""
    prompts = [job.prompt, *(shot.prompt for shot in job.shots.all())]
    verdicts = [prompt_policy_check(text) for text in prompts if text]
    code = next((verdict.code for verdict in verdicts if verdict is not None), "")
    return screen_frames(frames=frames, prompt_code=code)


def _encode_and_store(job: Job, frames: np.ndarray) -> Output:
    # local import: the gpu extra (ffmpeg-python, torch) is not on web machines
    from generation.encoding import (
        probe,
        read_frames,
        sha256_of,
        write_filmstrip,
        write_poster,
    )

    storage = private_storage()
    with tempfile.TemporaryDirectory(prefix=f"job-{job.pk}-") as folder:
        video_path = Path(folder) / "video.mp4"
        poster_path = Path(folder) / "poster.jpg"
        filmstrip_path = Path(folder) / "filmstrip.jpg"
        frames = output_marks_apply(job, frames)  # visible (cohort option) + forensic
        _encode_video(job, frames, path=video_path)
        # Provenance is the last change to the file; hash and size are of the signed video.
        output_sign(job=job, path=video_path)
        write_poster(frames, path=poster_path)
        # The strip spans the whole video, as the player's timeline: an extension's video
        # starts with its parent's frames, so its strip is read back from the file.
        strip = write_filmstrip(
            read_frames(video_path) if job.extends_id else frames, path=filmstrip_path
        )
        info = probe(video_path)
        digest = sha256_of(video_path)
        size = video_path.stat().st_size
        screen = _prescreen(job, frames)  # CPU work: outside any transaction (decision 0035)
        stem = f"outputs/{timezone.now():%Y/%m/%d}/job-{job.pk}-a{job.attempt}"
        with video_path.open("rb") as handle:
            video_name = storage.save(f"{stem}.mp4", File(handle))
        with poster_path.open("rb") as handle:
            poster_name = storage.save(f"{stem}.jpg", File(handle))
        with filmstrip_path.open("rb") as handle:
            filmstrip_name = storage.save(f"{stem}-filmstrip.jpg", File(handle))
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
                _stop_reason(job)
            output = Output.objects.create(
                job=job,
                video=video_name,
                poster=poster_name,
                filmstrip=filmstrip_name,
                filmstrip_frames=strip.frames,
                filmstrip_tile_width=strip.tile_width,
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
            # Flags and risk for the reviewers, audited; last, as audit_record asks.
            review_item_screened(output=output, result=screen)
            return output
    except BaseException:
        # Not ours any more (or the database refused): leave no orphan files.
        storage.delete(video_name)
        storage.delete(poster_name)
        storage.delete(filmstrip_name)
        raise


# What the artist reads when a job fails for good, by ``error_code``.
FAILURE_MESSAGES = {
    "internal_error": (
        "Something went wrong on our side while making your video. "
        "This didn't count against your daily quota; please try again."
    ),
    "render_timeout": (
        "Making your video took longer than this model's time limit, so we stopped. "
        "This didn't count against your daily quota; please try again."
    ),
}


def _after_error(job: Job, *, code: str = "internal_error") -> str:
    """Retry on another attempt if any are left; otherwise fail visibly (``code``),
    refunding quota. Fenced by attempt, so a stale call (or the watchdog's, after the
    render itself gave up) touches nothing."""
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
        error_code=code,
        error_message=FAILURE_MESSAGES[code],
        quota_refunded=True,
    )
    return "failed"
