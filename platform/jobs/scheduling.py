"""Who runs next, and where (issue 16; docs/decisions/0030-fair-scheduling.md).

**Model routing.** Each model has its own broker queue, ``<GENERATION_QUEUE>.<model>``
(``gpu.tiny-wan``, ``gpu.wan2.1-t2v-1.3b``). A worker serves the models of
``GENERATION_WORKER_MODELS``: it consumes only their queues and claims only their jobs. A
broker message is only a wake-up: "a job of this model is waiting".

**The fair order** (one line per model), written once here as SQL and used both for the
claim (``jobs.worker.job_claim_next``) and for queue positions (``jobs.estimates``, the
status fast path included). The queued jobs that may run (not of a paused account or
cohort; cancelled jobs are not queued) are ordered by a tag:

- within a cohort, round robin across artists, oldest first per artist: an artist's k-th
  waiting job is in round k; within a round, the artist whose last turn (latest
  ``started_at`` within the window) is oldest goes first (never served: first of all),
  then the older job;
- across cohorts, weighted fair share: a job's tag is ``(served + n) / weight`` where
  ``served`` is how many of the cohort's jobs of that model are running or ended within
  ``GENERATION_FAIR_SHARE_WINDOW_SECONDS`` (having started), ``n`` the job's place in its
  cohort's round robin and ``weight`` ``Cohort.scheduling_weight``; the lowest tag runs
  next, the older job first on a tie.

Nothing is stored for it: the state is read from the jobs themselves.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import connection

from accounts.models import User
from cohorts.models import Cohort
from jobs.models import Job, JobStatus

# The columns of ``fair_order_sql``'s rows.
FAIR_COLUMNS = ("id", "model", "work", "created_at", "fair_tag", "fair_position")


def model_queue(model: str) -> str:
    """The broker queue of ``model``'s wake-ups."""
    return f"{settings.GENERATION_QUEUE}.{model}"


def worker_models() -> list[str]:
    """The models this worker process serves (``VERNISSAGE_WORKER_MODELS``)."""
    return list(settings.GENERATION_WORKER_MODELS)


def serves(queues: str, model: str) -> bool:
    """Whether a worker consuming ``queues`` (a heartbeat's comma-separated list) serves
    ``model``: it consumes the model's queue, or the plain generation queue (a worker
    from before model routing, which took every model)."""
    names = queues.split(",")
    return model_queue(model) in names or settings.GENERATION_QUEUE in names


def fair_order_sql(*, model_filter: str) -> str:
    """A SELECT of the queued jobs that may run, with ``FAIR_COLUMNS``; ``fair_position``
    (1, 2, ...) is the place in the job's model's line. ``model_filter`` is an SQL
    condition on the job ``a`` (e.g. ``a.model = j.model`` inside the fast path's
    statement); its parameters come first, then ``fair_order_params``. Portable SQL
    (PostgreSQL and SQLite); table and column names come from the models."""
    quote = connection.ops.quote_name
    job, user, cohort = (quote(m._meta.db_table) for m in (Job, User, Cohort))
    queued, running = f"'{JobStatus.QUEUED.value}'", f"'{JobStatus.RUNNING.value}'"
    work = "(CAST(a.steps AS BIGINT) * a.num_frames * a.width * a.height)"
    recent = f"""
        FROM {job} s
        WHERE s.started_at IS NOT NULL AND (s.status = {running} OR s.finished_at >= %s)
    """
    return f"""
        SELECT r.id, r.model, r.work, r.created_at, r.fair_tag,
            ROW_NUMBER() OVER (
                PARTITION BY r.model ORDER BY r.fair_tag, r.created_at, r.id
            ) AS fair_position
        FROM (
            SELECT c.id, c.model, c.work, c.created_at,
                CAST(COALESCE(sc.served, 0) + ROW_NUMBER() OVER (
                    PARTITION BY c.model, c.cohort_id
                    ORDER BY c.artist_turn,
                        CASE WHEN sa.last_turn IS NULL THEN 0 ELSE 1 END, sa.last_turn,
                        c.created_at, c.id
                ) AS DOUBLE PRECISION) / c.weight AS fair_tag
            FROM (
                SELECT a.id, a.model, a.cohort_id, a.artist_id, a.created_at,
                    {work} AS work, k.scheduling_weight AS weight,
                    ROW_NUMBER() OVER (
                        PARTITION BY a.model, a.artist_id ORDER BY a.created_at, a.id
                    ) AS artist_turn
                FROM {job} a
                    JOIN {user} u ON u.id = a.artist_id
                    JOIN {cohort} k ON k.id = a.cohort_id
                WHERE a.status = {queued} AND a.attempt < a.max_attempts
                    AND NOT u.is_paused AND NOT k.is_paused AND ({model_filter})
            ) c
            LEFT JOIN (
                SELECT s.cohort_id, s.model, COUNT(*) AS served {recent}
                GROUP BY s.cohort_id, s.model
            ) sc ON sc.cohort_id = c.cohort_id AND sc.model = c.model
            LEFT JOIN (
                SELECT s.artist_id, s.model, MAX(s.started_at) AS last_turn {recent}
                GROUP BY s.artist_id, s.model
            ) sa ON sa.artist_id = c.artist_id AND sa.model = c.model
        ) r
    """  # noqa: S608


def fair_order_params(*, now: datetime) -> list[Any]:
    since = now - timedelta(seconds=settings.GENERATION_FAIR_SHARE_WINDOW_SECONDS)
    value = connection.ops.adapt_datetimefield_value(since)
    return [value, value]


def _models_filter(models: Sequence[str]) -> tuple[str, list[Any]]:
    if not models:
        return "1 = 0", []
    return f"a.model IN ({', '.join(['%s'] * len(models))})", list(models)


def fair_queue(
    *, models: Sequence[str], now: datetime, limit: int | None = None
) -> list[dict[str, Any]]:
    """The lines of ``models``, merged by tag (the order a worker serving them claims
    in): each row has ``FAIR_COLUMNS``. At most ``limit`` rows."""
    condition, params = _models_filter(models)
    sql = (
        f"SELECT f.* FROM ({fair_order_sql(model_filter=condition)}) f "  # noqa: S608
        "ORDER BY f.fair_tag, f.created_at, f.id"
    )
    if limit is not None:
        sql += f" LIMIT {int(limit)}"
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, *fair_order_params(now=now)])
        columns = [column[0] for column in cursor.description]
        return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]
