"""Jobs by day, for the staff charts (issue 18): generations submitted and how long they
waited for a GPU. One aggregate query per series, grouped by UTC day of ``created_at``
(indexed, ``db_index``), so a period reads only its own rows."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date

from django.db import connection
from django.db.models import Aggregate, Count, DurationField, ExpressionWrapper, F, QuerySet
from django.db.models.functions import TruncDate

from domain.quantiles import quantile
from jobs.models import Job
from web.charts import Chart, Series, chart_build
from web.periods import Period


class _Percentile(Aggregate):
    """PostgreSQL's ``percentile_cont(p) WITHIN GROUP (ORDER BY expression)``."""

    function = "percentile_cont"
    template = "%(function)s(%(share)s) WITHIN GROUP (ORDER BY %(expressions)s)"

    def __init__(self, expression: object, *, share: float) -> None:
        if not 0 <= share <= 1:
            raise ValueError("share is a fraction between 0 and 1")
        super().__init__(expression, share=float(share), output_field=DurationField())


@dataclass(frozen=True)
class QueueWait:
    """Of the jobs submitted on one day that a worker started: how many, and the median
    and 90th percentile of their wait from submission to start, in seconds."""

    started: int
    median_seconds: float
    p90_seconds: float


def _jobs(*, period: Period, cohort_id: int | None) -> QuerySet[Job]:
    jobs = Job.objects.filter(created_at__gte=period.start, created_at__lt=period.end)
    if cohort_id is not None:
        jobs = jobs.filter(cohort_id=cohort_id)
    return jobs.order_by()


def generations_by_day(*, period: Period, cohort_id: int | None = None) -> dict[date, int]:
    """Jobs submitted each UTC day of ``period`` (every variation and every outcome);
    days without any are absent."""
    rows = (
        _jobs(period=period, cohort_id=cohort_id)
        .annotate(day=TruncDate("created_at", tzinfo=UTC))
        .values("day")
        .annotate(count=Count("id"))
    )
    return {row["day"]: row["count"] for row in rows}


def queue_wait_by_day(*, period: Period, cohort_id: int | None = None) -> dict[date, QueueWait]:
    """Per UTC day of submission: the started jobs' wait (``started_at - created_at``).
    PostgreSQL computes the percentiles; on the embedded SQLite default, which has no
    ``percentile_cont``, the period's waits are sorted in Python (same answers)."""
    started = _jobs(period=period, cohort_id=cohort_id).filter(started_at__isnull=False)
    if connection.vendor != "postgresql":
        return _queue_wait_in_python(started)
    wait = ExpressionWrapper(F("started_at") - F("created_at"), output_field=DurationField())
    rows = (
        started.annotate(day=TruncDate("created_at", tzinfo=UTC))
        .values("day")
        .annotate(
            started=Count("id"),
            median=_Percentile(wait, share=0.5),
            p90=_Percentile(wait, share=0.9),
        )
    )
    return {
        row["day"]: QueueWait(
            started=row["started"],
            median_seconds=row["median"].total_seconds(),
            p90_seconds=row["p90"].total_seconds(),
        )
        for row in rows
    }


def _queue_wait_in_python(started: QuerySet[Job]) -> dict[date, QueueWait]:
    waits: dict[date, list[float]] = defaultdict(list)
    for created, began in started.values_list("created_at", "started_at"):
        assert began is not None  # filtered by the caller
        waits[created.astimezone(UTC).date()].append((began - created).total_seconds())
    result = {}
    for day, values in waits.items():
        values.sort()
        result[day] = QueueWait(
            started=len(values),
            # To the microsecond, as PostgreSQL's interval answer is.
            median_seconds=round(quantile(values, 0.5), 6),
            p90_seconds=round(quantile(values, 0.9), 6),
        )
    return result


def generations_chart(*, period: Period, counts: dict[date, int]) -> Chart:
    days = period.days
    return chart_build(
        key="generations",
        title="Generations per day",
        description=f"Jobs submitted each day, {days[0]} to {days[-1]} (UTC); "
        f"{sum(counts.values())} in all.",
        days=days,
        series=[Series(name="Generations", values=[counts.get(day, 0) for day in days])],
        bars=True,
    )


def queue_wait_chart(*, period: Period, waits: dict[date, QueueWait]) -> Chart:
    """Minutes, median and 90th percentile; a day with no started job has no value."""
    days = period.days

    def minutes(day: date, pick: str) -> float | None:
        wait = waits.get(day)
        return None if wait is None else round(getattr(wait, pick) / 60, 1)

    return chart_build(
        key="queue-wait",
        title="Queue wait per day (minutes)",
        description=f"Median and 90th percentile of the minutes from submission to a "
        f"worker starting the job, by day of submission, {days[0]} to {days[-1]} (UTC).",
        days=days,
        series=[
            Series(name="Median", values=[minutes(d, "median_seconds") for d in days]),
            Series(
                name="90th percentile",
                values=[minutes(d, "p90_seconds") for d in days],
                css="chart-series-2",
            ),
        ],
        unit="minutes",
    )
