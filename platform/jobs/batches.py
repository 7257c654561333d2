"""A submission's variations rendered together (issue 17; decision 0034).

When a worker claims one variation of a submission and its model may batch
(``ModelSpec.batch`` above 1), it also claims the submission's other queued variations
of that model, up to the batch size, and renders them in one pipeline call
(``generation.runner.render_batch``: one latent per seed, each from its own generator).
Everything else stays per job: each has its own claim, attempt, lease and heartbeat, its
own progress writes, cancel and fencing, and its own post-processing, output, review and
outcome. A variation cancelled (or whose lease is lost) mid-render ends at once, as it
would alone; the others render on, and its frames are dropped. A failure of the call
itself is every member's failure, retried or failed per job as ``jobs.worker`` does."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from jobs.errors import LeaseLost
from jobs.heartbeats import render_clock
from jobs.models import GenerationMode, Job, JobStatus
from jobs.pipelines import model_spec, registry
from jobs.watchdog import RenderWatchdog, render_limit_seconds
from jobs.worker import (
    Heartbeat,
    StepReporter,
    _after_error,
    _finished,
    _input_image,
    _outcome_of,
    _post_process,
    job_claim,
    post_processing,
)

if TYPE_CHECKING:
    import numpy as np

log = logging.getLogger(__name__)

# Modes whose variations can share a pipeline call (one request at several seeds).
BATCHABLE_MODES = (GenerationMode.TEXT, GenerationMode.IMAGE)


def batch_members(job: Job) -> list[Job]:
    """The other queued variations of ``job``'s submission this worker claims to render
    with it (up to its model's batch size, in seed order); none for a job alone, a model
    that renders one at a time, or a storyboard or extension."""
    if job.variation_count <= 1 or job.mode not in BATCHABLE_MODES:
        return []
    size = model_spec(job.model).batch
    if size <= 1:
        return []
    first = job.variation_of_id or job.pk
    candidates = list(
        Job.objects.filter(
            Q(pk=first) | Q(variation_of_id=first), status=JobStatus.QUEUED, model=job.model
        )
        .exclude(pk=job.pk)
        .order_by("variation_index")
        .values_list("pk", flat=True)[: size - 1]
    )
    members = []
    for pk in candidates:
        with transaction.atomic():  # as job_claim_next: skip one another worker is taking
            free = (
                Job.objects.select_for_update(skip_locked=True)
                .filter(pk=pk, status=JobStatus.QUEUED)
                .values_list("pk", flat=True)
                .first()
            )
            claimed = job_claim(job_id=free) if free is not None else None
        if claimed is not None:
            members.append(claimed)
    return members


def batch_run(jobs: list[Job], *, overlap: bool) -> str:
    """Render ``jobs`` (claimed variations of one submission) in one call, then finish
    each on its own (``overlap``: through the post-processing threads, as ``job_run``).
    Returns what happened to the first, as ``job_run`` says it."""
    log.info("jobs %s: rendering as one batch", ", ".join(str(job.pk) for job in jobs))
    heartbeats = {job.pk: Heartbeat(job).__enter__() for job in jobs}
    handed_over: set[int] = set()
    outcomes: dict[int, str] = {}
    try:
        try:
            rendered = _render_batch_stage(jobs, heartbeats, outcomes)
        except Exception as error:
            for job in jobs:
                if job.pk not in outcomes:
                    outcomes[job.pk] = _finished(job, _outcome_of(job, error))
            return outcomes[jobs[0].pk]
        post = post_processing() if overlap else None
        for job, frames in rendered:
            if post is None:
                outcomes[job.pk] = _finished(job, _post_process(job, frames, heartbeats[job.pk]))
            else:
                post.submit(job=job, frames=frames, heartbeat=heartbeats[job.pk])
                handed_over.add(job.pk)  # its post-processing thread stops the heartbeat
                outcomes[job.pk] = "rendered"
        return outcomes[jobs[0].pk]
    finally:
        for pk, heartbeat in heartbeats.items():
            if pk not in handed_over:
                heartbeat.__exit__()


def _render_batch_stage(
    jobs: list[Job], heartbeats: dict[int, Heartbeat], outcomes: dict[int, str]
) -> list[tuple[Job, np.ndarray]]:
    """The batch's render under its time limit; each member's progress written as its
    own; a member cancelled or lost on the way is finished at once and dropped."""
    # local import: the gpu extra (ffmpeg-python, torch) is not on web machines
    from generation.runner import RenderCanceled, RenderRequest, render_batch

    lead = jobs[0]
    loaded = registry().get(lead.model)
    loaded_at = datetime.fromtimestamp(loaded.loaded_at, tz=UTC)
    live = list(jobs)

    def drop(job: Job, stop: Exception) -> None:
        live.remove(job)
        outcomes[job.pk] = _finished(job, _outcome_of(job, stop))

    with _batch_watchdog(jobs) as watchdog:
        reporters = {
            job.pk: StepReporter(
                job,
                heartbeats[job.pk],
                deadline=watchdog.deadline,
                first_write={"pipeline_loaded_at": loaded_at},
            )
            for job in jobs
        }

        def on_step(done: int, total: int) -> None:
            for job in list(live):
                try:
                    reporters[job.pk](done, total)
                except (RenderCanceled, LeaseLost) as stop:
                    drop(job, stop)
            if not live:
                raise RenderCanceled()  # nobody left to render for

        image = _input_image(lead.start_image)
        requests = [
            RenderRequest(
                prompt=job.prompt,
                negative_prompt=job.negative_prompt,
                num_frames=job.num_frames,
                height=job.height,
                width=job.width,
                seed=job.seed,
                steps=job.steps,
                guidance=job.guidance,
                start_image=image,
                end_image=_input_image(lead.end_image),
            )
            for job in jobs
        ]
        render_clock.render_started(queued_at=lead.created_at)
        try:
            frames = render_batch(loaded, requests, on_step)
        finally:
            render_clock.render_ended()
    rendered = []
    now = timezone.now()
    for job, video in zip(jobs, frames, strict=True):
        if job not in live:
            continue
        try:
            reporters[job.pk].write(0.95, rendered_at=now)
        except (RenderCanceled, LeaseLost) as stop:
            drop(job, stop)
            continue
        rendered.append((job, video))
    return rendered


def _batch_watchdog(jobs: list[Job]) -> RenderWatchdog:
    """The model's time limit for every member's steps, from now; past it (and its grace)
    every member's attempt ends as ``jobs.worker._watchdog`` ends one."""
    lead = jobs[0]

    def hard_limit() -> None:
        for job in jobs:
            _after_error(job, code="render_timeout")

    return RenderWatchdog(
        job_id=lead.pk,
        limit_seconds=render_limit_seconds(model=lead.model, steps=lead.steps * len(jobs)),
        grace_seconds=settings.GENERATION_RENDER_KILL_GRACE_SECONDS,
        on_hard_limit=hard_limit,
    )
