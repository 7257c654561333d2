"""Prometheus metrics, computed from PostgreSQL at scrape time (decision 0015).

Every web process answers the same numbers (they come from the database, not from
counters in its memory), and nothing resets when a process restarts. Each query is
served by an index: active jobs by ``status, lease_expires_at``, recent jobs by the
partial ``job_finished_at`` index, open review items by the partial ``review_open_due``
index; worker heartbeats are one small row per process.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection
from django.db.models import Count, Min, Q
from django.utils import timezone
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector, CollectorRegistry

from domain.quantiles import quantile as _quantile
from jobs.models import Job, JobStatus, WorkerHeartbeat
from jobs.scheduling import serves
from moderation.models import OPEN_STATUSES, ReviewItem, ReviewStage

log = logging.getLogger(__name__)

QUANTILES = (0.5, 0.9, 0.99)

# PostgreSQL computes the quantiles; the embedded SQLite default has no percentile_cont,
# so there the (few) durations are sorted in Python.
_DURATION_QUANTILES = """
SELECT model, status,
       percentile_cont(%(quantiles)s::float8[]) WITHIN GROUP
           (ORDER BY EXTRACT(EPOCH FROM finished_at - started_at)),
       percentile_cont(%(quantiles)s::float8[]) WITHIN GROUP
           (ORDER BY EXTRACT(EPOCH FROM started_at - created_at))
FROM jobs_job
WHERE finished_at >= %(since)s AND started_at IS NOT NULL
GROUP BY model, status
"""


def _duration_quantiles(since: datetime) -> list[tuple[str, str, list[float], list[float]]]:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(_DURATION_QUANTILES, {"since": since, "quantiles": list(QUANTILES)})
            return [(m, s, list(r), list(w)) for m, s, r, w in cursor.fetchall()]
    samples: dict[tuple[str, str], tuple[list[float], list[float]]] = {}
    rows = Job.objects.filter(finished_at__gte=since, started_at__isnull=False).values_list(
        "model", "status", "created_at", "started_at", "finished_at"
    )
    for model, status, created, started, finished in rows:
        assert started is not None and finished is not None  # filtered above
        runs, waits = samples.setdefault((model, status), ([], []))
        runs.append((finished - started).total_seconds())
        waits.append((started - created).total_seconds())
    return [
        (model, status, [_quantile(sorted(r), q) for q in QUANTILES],
         [_quantile(sorted(w), q) for q in QUANTILES])
        for (model, status), (r, w) in samples.items()
    ]  # fmt: skip


class DatabaseCollector(Collector):
    """Reads the platform's state from the database on every scrape."""

    def collect(self) -> Iterator[Metric]:
        started = time.perf_counter()
        try:
            families = list(self._families())
            ok = 1.0
        except Exception:
            log.exception("metrics: reading the database failed")
            families, ok = [], 0.0
        yield from families
        yield GaugeMetricFamily(
            "vernissage_metrics_ok", "1 if this scrape could read the database, else 0.", ok
        )
        yield GaugeMetricFamily(
            "vernissage_metrics_collect_seconds",
            "Time spent reading the database for this scrape.",
            time.perf_counter() - started,
        )

    def _families(self) -> Iterator[Metric]:
        now = timezone.now()
        window = settings.OBSERVABILITY_METRICS_WINDOW_SECONDS
        queued_by_model: dict[str, int] = {}
        yield from self._active_jobs(now, settings.GENERATION_QUEUE, queued_by_model)
        yield from self._recent_jobs(now - timedelta(seconds=window), window)
        yield from self._reviews(now)
        yield from self._workers(now, queued_by_model)

    def _active_jobs(
        self, now: datetime, queue: str, queued_by_model: dict[str, int]
    ) -> Iterator[Metric]:
        queued = GaugeMetricFamily(
            "vernissage_jobs_queued", "Jobs waiting for a GPU worker.", labels=["queue", "model"]
        )
        running = GaugeMetricFamily(
            "vernissage_jobs_running", "Jobs a worker is running.", labels=["queue", "model"]
        )
        oldest = GaugeMetricFamily(
            "vernissage_jobs_queued_oldest_age_seconds",
            "Age of the oldest queued job (0 when none is queued).",
            labels=["queue"],
        )
        expired = GaugeMetricFamily(
            "vernissage_jobs_running_lease_expired",
            "Running jobs whose lease has run out (the reaper should re-queue them).",
            labels=["queue"],
        )
        # Queued and running jobs are few whatever the table's size (status index).
        rows = (
            Job.objects.filter(status__in=[JobStatus.QUEUED, JobStatus.RUNNING])
            .values("status", "model")
            .annotate(
                count=Count("pk"),
                first=Min("created_at"),
                lease_expired=Count("pk", filter=Q(lease_expires_at__lt=now)),
            )
            .order_by()
        )
        oldest_age, lease_expired = 0.0, 0
        for row in rows:
            if row["status"] == JobStatus.QUEUED:
                queued.add_metric([queue, row["model"]], row["count"])
                queued_by_model[row["model"]] = row["count"]
                oldest_age = max(oldest_age, (now - row["first"]).total_seconds())
            else:
                running.add_metric([queue, row["model"]], row["count"])
                lease_expired += row["lease_expired"]
        oldest.add_metric([queue], oldest_age)
        expired.add_metric([queue], lease_expired)
        yield from (queued, running, oldest, expired)

    def _recent_jobs(self, since: datetime, window: int) -> Iterator[Metric]:
        finished = GaugeMetricFamily(
            "vernissage_jobs_finished",
            f"Jobs that ended in the last {window} s, by outcome.",
            labels=["model", "status"],
        )
        rows = (
            Job.objects.filter(finished_at__gte=since)
            .values("model", "status")
            .annotate(count=Count("pk"))
            .order_by()
        )
        for row in rows:
            finished.add_metric([row["model"], row["status"]], row["count"])
        yield finished
        run = GaugeMetricFamily(
            "vernissage_job_duration_seconds",
            f"Run time (first start to end) of jobs that ended in the last {window} s.",
            labels=["model", "status", "quantile"],
        )
        wait = GaugeMetricFamily(
            "vernissage_job_wait_seconds",
            f"Wait (submitted to first start) of jobs that ended in the last {window} s.",
            labels=["model", "status", "quantile"],
        )
        for model, status, runs, waits in _duration_quantiles(since):
            for quantile, run_value, wait_value in zip(QUANTILES, runs, waits, strict=True):
                run.add_metric([model, status, str(quantile)], float(run_value))
                wait.add_metric([model, status, str(quantile)], float(wait_value))
        yield from (run, wait)

    def _reviews(self, now: datetime) -> Iterator[Metric]:
        open_items = GaugeMetricFamily(
            "vernissage_review_open",
            "Review items waiting for a decision (pending, claimed or appealed).",
            labels=["stage", "status"],
        )
        overdue = GaugeMetricFamily(
            "vernissage_review_overdue", "Open review items past their SLA.", labels=["stage"]
        )
        oldest = GaugeMetricFamily(
            "vernissage_review_oldest_open_age_seconds",
            "Age of the oldest open review item (0 when none is open).",
        )
        next_due = GaugeMetricFamily(
            "vernissage_review_next_due_seconds",
            "Seconds until the earliest open item is due (negative: overdue; 0 when none).",
        )
        # The status filter is the predicate of the partial index review_open_due.
        rows = (
            ReviewItem.objects.filter(status__in=OPEN_STATUSES)
            .values("stage", "status")
            .annotate(
                count=Count("pk"),
                late=Count("pk", filter=Q(due_at__lt=now)),
                first=Min("created_at"),
                due=Min("due_at"),
            )
            .order_by()
        )
        late_by_stage: dict[str, int] = {}
        ages: list[float] = []
        dues: list[float] = []
        for row in rows:
            open_items.add_metric([row["stage"], row["status"]], row["count"])
            late_by_stage[row["stage"]] = late_by_stage.get(row["stage"], 0) + row["late"]
            ages.append((now - row["first"]).total_seconds())
            dues.append((row["due"] - now).total_seconds())
        for stage in ReviewStage.values:
            overdue.add_metric([stage], late_by_stage.get(stage, 0))
        oldest.add_metric([], max(ages, default=0.0))
        next_due.add_metric([], min(dues, default=0.0))
        yield from (open_items, overdue, oldest, next_due)

    def _workers(self, now: datetime, queued_by_model: dict[str, int]) -> Iterator[Metric]:
        age = GaugeMetricFamily(
            "vernissage_worker_heartbeat_age_seconds",
            "Seconds since each worker process last said it was alive.",
            labels=["worker", "queues"],
        )
        busy = GaugeMetricFamily(
            "vernissage_worker_busy", "1 while the worker runs a job.", labels=["worker", "queues"]
        )
        forget = now - timedelta(seconds=settings.OBSERVABILITY_WORKER_FORGET_SECONDS)
        rows = WorkerHeartbeat.objects.filter(last_seen_at__gte=forget).values_list(
            "name", "queues", "last_seen_at", "job_id",
            "busy_ratio", "render_gap_p50_seconds", "render_gap_p95_seconds",
        )  # fmt: skip
        busy_ratio = GaugeMetricFamily(
            "vernissage_worker_busy_ratio",
            "Share of each worker's recent wall time spent rendering (jobs.heartbeats, "
            "last 5 minutes), as of its last heartbeat.",
            labels=["worker"],
        )
        render_gap = GaugeMetricFamily(
            "vernissage_worker_render_gap_seconds",
            "Seconds between one render's end and the next render's start on each worker, "
            "with a backlog (its latest gaps; quantile 0.5 and 0.95).",
            labels=["worker", "quantile"],
        )
        serving = GaugeMetricFamily(
            "vernissage_model_workers",
            "Live workers (fresh heartbeat) serving each model (jobs.scheduling).",
            labels=["model"],
        )
        waiting = GaugeMetricFamily(
            "vernissage_jobs_waiting_for_capacity",
            "Queued jobs of each model that no live worker serves.",
            labels=["model"],
        )
        fresh = now - timedelta(seconds=3 * settings.OBSERVABILITY_WORKER_HEARTBEAT_SECONDS)
        live: list[str] = []
        for name, queues, last_seen, job_id, ratio, gap_p50, gap_p95 in rows:
            age.add_metric([name, queues], max(0.0, (now - last_seen).total_seconds()))
            busy.add_metric([name, queues], 0.0 if job_id is None else 1.0)
            if ratio is not None:
                busy_ratio.add_metric([name], ratio)
            for quantile, gap in (("0.5", gap_p50), ("0.95", gap_p95)):
                if gap is not None:
                    render_gap.add_metric([name, quantile], gap)
            if last_seen >= fresh:
                live.append(queues)
        for model in sorted({*settings.GENERATION_ENABLED_MODELS, *queued_by_model}):
            count = sum(1 for queues in live if serves(queues, model))
            serving.add_metric([model], count)
            waiting.add_metric([model], 0 if count else queued_by_model.get(model, 0))
        yield from (age, busy, busy_ratio, render_gap, serving, waiting)


registry = CollectorRegistry(auto_describe=False)
registry.register(DatabaseCollector())
