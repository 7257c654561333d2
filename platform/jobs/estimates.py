"""Queue position and estimated start and finish of a queued or running job (issue 14).

The method (docs/decisions/0024-queue-estimates-in-the-status-answer.md):

- **Position**: 1 + the queued jobs ahead of this one in its model's fair line
  (``jobs.scheduling``, decision 0030: the order workers claim in; any artist). Other
  people's jobs count; nothing about them leaves this module but the position and the
  times. A job not in the line (its account or cohort paused) waits behind all of it.
- **How long a job takes**: from its model's recent first-attempt successes (the last
  ``GENERATION_ESTIMATE_HISTORY_JOBS`` within ``GENERATION_ESTIMATE_HISTORY_DAYS``), two
  durations each (issue 16):

  - its **run**, ``finished_at - started_at``: what a job's finish is estimated from;
  - its **occupancy** of its worker, how long after its start that worker could start its
    next render: post-processing overlaps the next render (decision 0031), so with
    ``VERNISSAGE_POST_PROCESSING_SLOTS`` above 0 that is its render
    (``rendered_at - started_at``) or, when post-processing is the slower part, its share of
    the post slots (``(finished_at - rendered_at) / slots``: the next render's end waits for
    a free slot), whichever is longer; with 0 slots, or with no ``rendered_at`` (rows from
    before it was written), the whole run. The queue's wait is built from occupancies.

  With at least ``GENERATION_ESTIMATE_MIN_HISTORY`` of the same size (``steps x frames x
  width x height``), the median of those; else the median pace (seconds per unit of size)
  times the job's size. With fewer than that many successes of the model there is **no
  estimate yet** (null times): we don't invent one.
- **A running job's remaining time**: the later of what the history says
  (``started_at + expected``) and what its own progress says (the pace since its first
  denoising step, extrapolated to 100 %); with no history, its progress alone; before
  its second step, with no history, unknown. Its **worker is free** at the later of
  ``started_at +`` expected occupancy and its progress extrapolated to the render's end
  (``RENDERED``, 0.95); at once when its progress has reached the render's end (its output
  is in post). With 0 post slots, at its end, as its run.
- **Start of a queued job**: the workers that serve its model (those whose heartbeat is
  fresh and that consume the model's queue, ``jobs.scheduling.serves``;
  ``GENERATION_WORKERS`` when no worker's heartbeat is fresh at all) become free when
  their running jobs of that model no longer occupy them (one worker may hold several
  running jobs: one rendering, others in post; it is free when the last of them frees
  it); the jobs ahead are handed, in turn, to the first worker free, each for its expected
  occupancy; this job starts when the next one is free. **Finish** = start + its expected
  run. When workers are live but none serves the model, the job is **waiting for
  capacity**: ``workers`` 0, ``workers_source`` "none", no times.

Times are whole seconds (the nearest). Everything that reads the clock reads ``clock``
(the tests hold it: two answers compared byte for byte must be made at the same instant).

The inputs are gathered in two ways that must agree: ``queue_estimate`` (the ORM, for the
whole stack, PostgreSQL or SQLite) and ``estimate_sql`` (a part of the status fast path's
one statement, decision 0018). Change one, change the other;
``tests/jobs/test_queue_estimate.py`` compares them byte for byte.
"""

from __future__ import annotations

import heapq
import statistics
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import BigIntegerField, ExpressionWrapper, F
from django.db.models.functions import Cast

from jobs.models import Job, JobStatus, WorkerHeartbeat
from jobs.scheduling import fair_order_params, fair_order_sql, fair_queue, serves

# Denoising fills progress up to this share, and the render's end writes RENDERED
# (jobs.worker.STEPS_SHARE and _render_stage; not imported, so the web side's hot path
# doesn't load the worker module).
STEPS_SHARE = 0.9
RENDERED = 0.95

METHOD_HISTORY = "recent_durations"
METHOD_PROGRESS = "progress"
METHOD_NONE = "none"
# workers_source: no live worker serves the job's model ("waiting for capacity").
WORKERS_NONE = "none"


def clock() -> float:
    return time.time()


def estimate_now() -> datetime:
    return datetime.fromtimestamp(clock(), tz=UTC)


@dataclass(frozen=True)
class JobShape:
    """What the estimate needs of one job."""

    model: str
    work: int
    started_at: datetime | None = None
    first_step_at: datetime | None = None
    progress: float = 0.0
    steps: int = 1
    # The worker running it (running jobs only: one worker may hold several, decision 0031).
    worker: str = ""


@dataclass(frozen=True)
class PastRun:
    """One recent first-attempt success: its run (started -> finished), its render
    (started -> rendered; None on rows from before ``rendered_at``) and its size."""

    took: timedelta
    rendered: timedelta | None
    work: int

    def occupancy(self, slots: int) -> timedelta:
        """How long its worker was kept from starting its next render (module docstring)."""
        if slots <= 0 or self.rendered is None:
            return self.took
        return max(self.rendered, (self.took - self.rendered) / slots)


@dataclass(frozen=True)
class EstimateInputs:
    status: str
    job: JobShape
    # Queued jobs ahead, per model and size: (model, work of each, how many).
    ahead: tuple[tuple[str, int, int], ...] = ()
    # Running jobs (only gathered for a queued job).
    running: tuple[JobShape, ...] = ()
    # Per model: its recent first-attempt successes.
    history: dict[str, list[PastRun]] = field(default_factory=dict)
    live_workers: int = 0
    # Workers with a fresh heartbeat, whatever they serve (0: nothing is known of them).
    known_workers: int = 0


@dataclass(frozen=True)
class EstimateBasis:
    method: str
    history_jobs: int
    history_days: int
    typical_seconds: float | None
    workers: int
    workers_source: str


@dataclass(frozen=True)
class QueueEstimate:
    position: int | None
    estimated_start: datetime | None
    estimated_finish: datetime | None
    basis: EstimateBasis


def _work(steps: int, frames: int, width: int, height: int) -> int:
    return max(1, steps * frames * width * height)


def _whole_second(moment: datetime) -> datetime:
    """To the nearest whole second (not down: truncating made every estimate up to a
    second early, a bias that dominates when the waits are seconds long)."""
    return (moment + timedelta(microseconds=500_000)).replace(microsecond=0)


def _expected_seconds(samples: Sequence[tuple[timedelta, int]], work: int) -> float | None:
    """Run time of a job of ``work``: the median of recent runs of that very size when there
    are enough of them (sizes come from a few cohort options, and a run's fixed costs don't
    scale); else the median pace (seconds per unit of work) times ``work``; else None."""
    enough = settings.GENERATION_ESTIMATE_MIN_HISTORY
    same = [took.total_seconds() for took, size in samples if size == work]
    if len(same) >= enough:
        return statistics.median(same)
    if len(samples) < enough:
        return None
    return work * statistics.median(took.total_seconds() / max(1, size) for took, size in samples)


def _remaining(
    shape: JobShape, expected: float | None, *, now: datetime, until: float = 1.0
) -> tuple[float | None, str]:
    """Seconds until a running job reaches progress ``until`` (1.0: its end; RENDERED: its
    render's end, with ``expected`` its occupancy), and what that rests on."""
    if until < 1.0 and shape.progress >= until - 1e-9:
        return 0.0, METHOD_PROGRESS
    by_history = None
    if expected is not None and shape.started_at is not None:
        by_history = max(0.0, (shape.started_at - now).total_seconds() + expected)
    by_progress = None
    first_step = STEPS_SHARE / max(1, shape.steps)
    if shape.first_step_at is not None and shape.progress > first_step + 1e-9:
        pace = max(0.0, (now - shape.first_step_at).total_seconds()) / (shape.progress - first_step)
        by_progress = max(0.0, (until - shape.progress) * pace)
    if by_history is None and by_progress is None:
        return None, METHOD_NONE
    if by_progress is not None and (by_history is None or by_progress > by_history):
        return by_progress, METHOD_PROGRESS
    return by_history, METHOD_HISTORY


def estimate_from(inputs: EstimateInputs, *, now: datetime) -> QueueEstimate:
    """The estimate from its inputs: no database, no clock."""

    slots = settings.GENERATION_POST_PROCESSING_SLOTS

    def expected(model: str, work: int) -> float | None:
        runs = inputs.history.get(model, ())
        return _expected_seconds([(run.took, run.work) for run in runs], work)

    def occupancy(model: str, work: int) -> float | None:
        runs = inputs.history.get(model, ())
        return _expected_seconds([(run.occupancy(slots), run.work) for run in runs], work)

    own = expected(inputs.job.model, inputs.job.work)
    live = inputs.live_workers
    workers = live if live > 0 else settings.GENERATION_WORKERS
    source = "live" if live > 0 else "setting"
    no_capacity = inputs.status == JobStatus.QUEUED and live == 0 and inputs.known_workers > 0
    if no_capacity:
        workers, source = 0, WORKERS_NONE

    def basis(method: str) -> EstimateBasis:
        return EstimateBasis(
            method=method,
            history_jobs=len(inputs.history.get(inputs.job.model, ())),
            history_days=settings.GENERATION_ESTIMATE_HISTORY_DAYS,
            typical_seconds=None if own is None else round(own, 1),
            workers=workers,
            workers_source=source,
        )

    if inputs.status == JobStatus.RUNNING:
        left, method = _remaining(inputs.job, own, now=now)
        finish = None if left is None else _whole_second(now + timedelta(seconds=left))
        return QueueEstimate(
            position=None, estimated_start=None, estimated_finish=finish, basis=basis(method)
        )

    position = 1 + sum(count for _, _, count in inputs.ahead)
    # With post-processing inline, a job holds its worker until it ends.
    until = RENDERED if slots > 0 else 1.0
    wait = (
        None
        if no_capacity
        else _wait_seconds(inputs, occupancy, workers=workers, until=until, now=now)
    )
    if wait is None or own is None:
        return QueueEstimate(
            position=position, estimated_start=None, estimated_finish=None, basis=basis(METHOD_NONE)
        )
    start = now + timedelta(seconds=wait)
    finish = start + timedelta(seconds=own)
    return QueueEstimate(
        position=position,
        estimated_start=_whole_second(start),
        estimated_finish=_whole_second(finish),
        basis=basis(METHOD_HISTORY),
    )


def _wait_seconds(
    inputs: EstimateInputs,
    occupancy: Callable[[str, int], float | None],
    *,
    workers: int,
    until: float,
    now: datetime,
) -> float | None:
    """Seconds until a worker is free for this job, or None when something is unknown
    (``until``: the progress at which a running job frees its worker)."""
    # Per worker, when the last of its running jobs stops occupying it.
    busy: dict[str, float] = {}
    for i, shape in enumerate(inputs.running):
        left, _ = _remaining(shape, occupancy(shape.model, shape.work), now=now, until=until)
        if left is None:
            return None
        key = shape.worker or f"#{i}"  # a running job always names its worker
        busy[key] = max(busy.get(key, 0.0), left)
    free_at = list(busy.values())
    free_at.extend([0.0] * max(0, workers - len(free_at)))
    heapq.heapify(free_at)
    for model, work, count in inputs.ahead:
        each = occupancy(model, work)
        if each is None:
            return None
        for _ in range(count):
            heapq.heappush(free_at, heapq.heappop(free_at) + each)
    return free_at[0]


# --- gathering the inputs: the ORM (the whole stack) ----------------------------------

_WORK = ExpressionWrapper(
    Cast("steps", BigIntegerField()) * F("num_frames") * F("width") * F("height"),
    output_field=BigIntegerField(),
)


def _past_run(
    started: datetime, rendered: datetime | None, finished: datetime, work: int
) -> PastRun:
    return PastRun(
        took=finished - started,
        rendered=None if rendered is None else rendered - started,
        work=int(work),
    )


def _history_since(now: datetime) -> datetime:
    return now - timedelta(days=settings.GENERATION_ESTIMATE_HISTORY_DAYS)


def _workers_since(now: datetime) -> datetime:
    return now - timedelta(seconds=3 * settings.OBSERVABILITY_WORKER_HEARTBEAT_SECONDS)


def queue_estimate(*, job: Job, now: datetime | None = None) -> QueueEstimate | None:
    """Position and estimated start/finish of ``job`` while it is queued or running;
    None once it has ended. The caller has already decided the viewer may see ``job``."""
    if job.status not in (JobStatus.QUEUED, JobStatus.RUNNING):
        return None

    now = now or estimate_now()
    ahead: list[tuple[str, int, int]] = []
    running: list[JobShape] = []
    if job.status == JobStatus.QUEUED:
        line = fair_queue(models=[job.model], now=now)
        mine = next((row["fair_position"] for row in line if row["id"] == job.pk), None)
        counts = Counter(
            (row["model"], int(row["work"]))
            for row in line
            if mine is None or row["fair_position"] < mine
        )
        ahead = [(model, work, n) for (model, work), n in sorted(counts.items())]
        running = [
            JobShape(
                model=row["model"],
                work=int(row["work"]),
                started_at=row["started_at"],
                first_step_at=row["first_step_at"],
                progress=row["progress"],
                steps=row["steps"],
                worker=row["worker"],
            )
            for row in Job.objects.filter(status=JobStatus.RUNNING, model=job.model)
            .order_by("pk")
            .values(
                "model", "started_at", "first_step_at", "progress", "steps", "worker", work=_WORK
            )
        ]
    models = sorted({job.model, *(a[0] for a in ahead), *(r.model for r in running)})
    since = _history_since(now)
    history = {}
    for model in models:
        recent = (
            Job.objects.filter(
                model=model,
                status=JobStatus.SUCCEEDED,
                attempt=1,
                started_at__isnull=False,
                finished_at__gte=since,
            )
            .order_by("-finished_at", "-pk")
            .values_list("started_at", "rendered_at", "finished_at", _WORK)[
                : settings.GENERATION_ESTIMATE_HISTORY_JOBS
            ]
        )
        history[model] = [
            _past_run(started, rendered, finished, work)
            for started, rendered, finished, work in recent
        ]
    beats = list(
        WorkerHeartbeat.objects.filter(last_seen_at__gte=_workers_since(now)).values_list(
            "queues", flat=True
        )
    )
    live = sum(1 for queues in beats if serves(queues, job.model))
    shape = JobShape(
        model=job.model,
        work=_work(job.steps, job.num_frames, job.width, job.height),
        started_at=job.started_at,
        first_step_at=job.first_step_at,
        progress=job.progress,
        steps=job.steps,
    )
    inputs = EstimateInputs(
        status=job.status,
        job=shape,
        ahead=tuple(ahead),
        running=tuple(running),
        history=history,
        live_workers=live,
        known_workers=len(beats),
    )
    return estimate_from(inputs, now=now)


# --- gathering the inputs: SQL (the status fast path's one statement) ------------------


# The columns ``estimate_sql`` adds, for the statement's SELECT list.
ESTIMATE_COLUMNS = "est_ahead.*, est_run.*, est_hist.*, est_workers.*"


def estimate_sql(*, job_table: str, heartbeat_table: str) -> str:
    """LEFT JOIN LATERALs on the job ``j`` that add the ``est_*`` columns; their
    parameters are ``estimate_sql_params``. Mirrors ``queue_estimate`` exactly."""
    queued = f"'{JobStatus.QUEUED.value}'"

    def work(alias: str) -> str:
        return f"({alias}.steps::bigint * {alias}.num_frames * {alias}.width * {alias}.height)"

    # The job's model's fair line (only for a queued job); the jobs ahead of it, or all
    # of the line when it is not in it.
    line = fair_order_sql(model_filter=f"j.status = {queued} AND a.model = j.model")
    return f"""
        LEFT JOIN LATERAL (
            SELECT array_agg(q.model ORDER BY q.model, q.work) AS est_ahead_models,
                array_agg(q.work ORDER BY q.model, q.work) AS est_ahead_work,
                array_agg(q.n ORDER BY q.model, q.work) AS est_ahead_counts
            FROM (
                SELECT f.model, f.work, count(*) AS n
                FROM (
                    SELECT l.model, l.work, l.fair_position,
                        max(CASE WHEN l.id = j.id THEN l.fair_position END) OVER () AS mine
                    FROM ({line}) l
                ) f
                WHERE f.mine IS NULL OR f.fair_position < f.mine
                GROUP BY 1, 2
            ) q
        ) est_ahead ON true
        LEFT JOIN LATERAL (
            SELECT array_agg(r.model ORDER BY r.id) AS est_run_models,
                array_agg({work("r")} ORDER BY r.id) AS est_run_work,
                array_agg(r.started_at ORDER BY r.id) AS est_run_started,
                array_agg(r.first_step_at ORDER BY r.id) AS est_run_first_step,
                array_agg(r.progress ORDER BY r.id) AS est_run_progress,
                array_agg(r.steps ORDER BY r.id) AS est_run_steps,
                array_agg(r.worker ORDER BY r.id) AS est_run_workers
            FROM {job_table} r
            WHERE j.status = {queued} AND r.status = '{JobStatus.RUNNING.value}'
                AND r.model = j.model
        ) est_run ON true
        LEFT JOIN LATERAL (
            SELECT array_agg(m.model) AS est_hist_models,
                array_agg(h.started_at) AS est_hist_started,
                array_agg(h.rendered_at) AS est_hist_rendered,
                array_agg(h.finished_at) AS est_hist_finished,
                array_agg(h.work) AS est_hist_work
            FROM (
                -- Only for a job the estimate is for (the fast path reads others too).
                SELECT DISTINCT x.model FROM unnest(
                    ARRAY[j.model]::text[]
                    || COALESCE(est_ahead.est_ahead_models::text[], '{{}}')
                    || COALESCE(est_run.est_run_models::text[], '{{}}')
                ) AS x(model)
                WHERE j.status IN ({queued}, '{JobStatus.RUNNING.value}')
            ) m
            CROSS JOIN LATERAL (
                SELECT s.started_at, s.rendered_at, s.finished_at, {work("s")} AS work
                FROM {job_table} s
                WHERE s.model = m.model AND s.status = '{JobStatus.SUCCEEDED.value}'
                    AND s.attempt = 1 AND s.started_at IS NOT NULL
                    AND s.finished_at >= %s::timestamptz
                ORDER BY s.finished_at DESC, s.id DESC
                LIMIT %s
            ) h
        ) est_hist ON true
        LEFT JOIN LATERAL (
            SELECT count(*) FILTER (
                    WHERE %s::text = ANY(w.queues)
                        OR (%s::text || '.' || j.model) = ANY(w.queues)
                ) AS est_live_workers,
                count(*) AS est_known_workers
            FROM (
                SELECT string_to_array(b.queues, ',') AS queues
                FROM {heartbeat_table} b
                WHERE b.last_seen_at >= %s::timestamptz
            ) w
        ) est_workers ON true
    """  # noqa: S608


def estimate_sql_params(*, now: datetime) -> list[Any]:
    return [
        *fair_order_params(now=now),
        _history_since(now),
        settings.GENERATION_ESTIMATE_HISTORY_JOBS,
        settings.GENERATION_QUEUE,
        settings.GENERATION_QUEUE,
        _workers_since(now),
    ]


def estimate_from_row(row: dict[str, Any], *, now: datetime) -> QueueEstimate | None:
    """The estimate from the fast path's row (the job's columns and the ``est_*`` ones)."""
    if row["status"] not in (JobStatus.QUEUED, JobStatus.RUNNING):
        return None

    def column(name: str) -> list[Any]:
        return list(row[name] or [])

    ahead = tuple(
        (model, int(work), int(n))
        for model, work, n in zip(
            column("est_ahead_models"),
            column("est_ahead_work"),
            column("est_ahead_counts"),
            strict=True,
        )
    )
    running = tuple(
        JobShape(
            model=model,
            work=int(work),
            started_at=started,
            first_step_at=first,
            progress=progress,
            steps=steps,
            worker=worker,
        )
        for model, work, started, first, progress, steps, worker in zip(
            column("est_run_models"),
            column("est_run_work"),
            column("est_run_started"),
            column("est_run_first_step"),
            column("est_run_progress"),
            column("est_run_steps"),
            column("est_run_workers"),
            strict=True,
        )
    )
    history: dict[str, list[PastRun]] = {}
    models = {row["model"], *(a[0] for a in ahead), *(r.model for r in running)}
    for model in sorted(models):
        history[model] = []
    for model, started, rendered, finished, work in zip(
        column("est_hist_models"),
        column("est_hist_started"),
        column("est_hist_rendered"),
        column("est_hist_finished"),
        column("est_hist_work"),
        strict=True,
    ):
        history[model].append(_past_run(started, rendered, finished, work))
    shape = JobShape(
        model=row["model"],
        work=_work(row["steps"], row["num_frames"], row["width"], row["height"]),
        started_at=row["started_at"],
        first_step_at=row["first_step_at"],
        progress=row["progress"],
        steps=row["steps"],
    )
    inputs = EstimateInputs(
        status=row["status"],
        job=shape,
        ahead=ahead,
        running=running,
        history=history,
        live_workers=int(row["est_live_workers"] or 0),
        known_workers=int(row["est_known_workers"] or 0),
    )
    return estimate_from(inputs, now=now)


def estimate_json(
    estimate: QueueEstimate | None, *, datetime_text: Callable[[datetime], str]
) -> dict[str, Any] | None:
    """The ``queue`` field of the job's JSON, as studio.apis.QueueEstimateSerializer makes it
    (the fast path builds it with this; the equivalence tests compare the two)."""
    if estimate is None:
        return None

    def moment(value: datetime | None) -> str | None:
        return None if value is None else datetime_text(value)

    basis = estimate.basis
    return {
        "position": estimate.position,
        "estimated_start": moment(estimate.estimated_start),
        "estimated_finish": moment(estimate.estimated_finish),
        "basis": {
            "method": basis.method,
            "history_jobs": basis.history_jobs,
            "history_days": basis.history_days,
            "typical_seconds": basis.typical_seconds,
            "workers": basis.workers,
            "workers_source": basis.workers_source,
        },
    }
