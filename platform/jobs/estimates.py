"""Queue position and estimated start and finish of a queued or running job (issue 14).

The method (docs/decisions/0024-queue-estimates-in-the-status-answer.md):

- **Position**: 1 + the queued jobs ahead of this one in its model's fair line
  (``jobs.scheduling``, decision 0030: the order workers claim in; any artist). Other
  people's jobs count; nothing about them leaves this module but the position and the
  times. A job not in the line (its account or cohort paused) waits behind all of it.
- **How long a job takes**: from its model's recent first-attempt successes (the last
  ``GENERATION_ESTIMATE_HISTORY_JOBS`` within ``GENERATION_ESTIMATE_HISTORY_DAYS``), each
  ``finished_at - started_at``. With at least ``GENERATION_ESTIMATE_MIN_HISTORY`` of the
  same size (``steps x frames x width x height``), the median of those; else the median
  pace (seconds per unit of size) times the job's size. With fewer than that many
  successes of the model there is **no estimate yet** (null times): we don't invent one.
- **A running job's remaining time**: the later of what the history says
  (``started_at + expected``) and what its own progress says (the pace since its first
  denoising step, extrapolated to 100 %); with no history, its progress alone; before
  its second step, with no history, unknown.
- **Start of a queued job**: the workers that serve its model (those whose heartbeat is
  fresh and that consume the model's queue, ``jobs.scheduling.serves``;
  ``GENERATION_WORKERS`` when no worker's heartbeat is fresh at all) become free when
  their running jobs of that model end; the jobs ahead are handed, in turn, to the first
  worker free; this job starts when the next one is free. **Finish** = start + its
  expected run time. When workers are live but none serves the model, the job is
  **waiting for capacity**: ``workers`` 0, ``workers_source`` "none", no times.

Times are whole seconds. Everything that reads the clock reads ``clock`` (the tests hold
it: two answers compared byte for byte must be made at the same instant).

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

# Denoising fills progress up to this share (jobs.worker.STEPS_SHARE; not imported, so the
# web side's hot path doesn't load the worker module).
STEPS_SHARE = 0.9

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


@dataclass(frozen=True)
class EstimateInputs:
    status: str
    job: JobShape
    # Queued jobs ahead, per model and size: (model, work of each, how many).
    ahead: tuple[tuple[str, int, int], ...] = ()
    # Running jobs (only gathered for a queued job).
    running: tuple[JobShape, ...] = ()
    # Per model: (took, work) of its recent first-attempt successes.
    history: dict[str, list[tuple[timedelta, int]]] = field(default_factory=dict)
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
    return moment.replace(microsecond=0)


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
    shape: JobShape, expected: float | None, *, now: datetime
) -> tuple[float | None, str]:
    """Seconds until a running job ends, and what that rests on."""
    by_history = None
    if expected is not None and shape.started_at is not None:
        by_history = max(0.0, (shape.started_at - now).total_seconds() + expected)
    by_progress = None
    first_step = STEPS_SHARE / max(1, shape.steps)
    if shape.first_step_at is not None and shape.progress > first_step + 1e-9:
        pace = max(0.0, (now - shape.first_step_at).total_seconds()) / (shape.progress - first_step)
        by_progress = max(0.0, (1.0 - shape.progress) * pace)
    if by_history is None and by_progress is None:
        return None, METHOD_NONE
    if by_progress is not None and (by_history is None or by_progress > by_history):
        return by_progress, METHOD_PROGRESS
    return by_history, METHOD_HISTORY


def estimate_from(inputs: EstimateInputs, *, now: datetime) -> QueueEstimate:
    """The estimate from its inputs: no database, no clock."""

    def expected(model: str, work: int) -> float | None:
        return _expected_seconds(inputs.history.get(model, ()), work)

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
    wait = None if no_capacity else _wait_seconds(inputs, expected, workers=workers, now=now)
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
    expected: Callable[[str, int], float | None],
    *,
    workers: int,
    now: datetime,
) -> float | None:
    """Seconds until a worker is free for this job, or None when something is unknown."""
    free_at: list[float] = []
    for shape in inputs.running:
        left, _ = _remaining(shape, expected(shape.model, shape.work), now=now)
        if left is None:
            return None
        free_at.append(left)
    free_at.extend([0.0] * max(0, workers - len(free_at)))
    heapq.heapify(free_at)
    for model, work, count in inputs.ahead:
        each = expected(model, work)
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
            )
            for row in Job.objects.filter(status=JobStatus.RUNNING, model=job.model)
            .order_by("pk")
            .values("model", "started_at", "first_step_at", "progress", "steps", work=_WORK)
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
            .values_list("started_at", "finished_at", _WORK)[
                : settings.GENERATION_ESTIMATE_HISTORY_JOBS
            ]
        )
        history[model] = [(finished - started, int(work)) for started, finished, work in recent]
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
                array_agg(r.steps ORDER BY r.id) AS est_run_steps
            FROM {job_table} r
            WHERE j.status = {queued} AND r.status = '{JobStatus.RUNNING.value}'
                AND r.model = j.model
        ) est_run ON true
        LEFT JOIN LATERAL (
            SELECT array_agg(m.model) AS est_hist_models,
                array_agg(h.started_at) AS est_hist_started,
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
                SELECT s.started_at, s.finished_at, {work("s")} AS work
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
        )
        for model, work, started, first, progress, steps in zip(
            column("est_run_models"),
            column("est_run_work"),
            column("est_run_started"),
            column("est_run_first_step"),
            column("est_run_progress"),
            column("est_run_steps"),
            strict=True,
        )
    )
    history: dict[str, list[tuple[timedelta, int]]] = {}
    models = {row["model"], *(a[0] for a in ahead), *(r.model for r in running)}
    for model in sorted(models):
        history[model] = []
    for model, started, finished, work in zip(
        column("est_hist_models"),
        column("est_hist_started"),
        column("est_hist_finished"),
        column("est_hist_work"),
        strict=True,
    ):
        history[model].append((finished - started, int(work)))
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
