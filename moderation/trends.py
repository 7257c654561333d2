"""Review decisions by day, for the staff charts (issue 18): how many were decided, the
share approved, and the share decided by the item's ``due_at`` (the review SLA met).
One aggregate query for all three, grouped by UTC day of the decision; the charts the
SLA page and the cohort analytics page both draw."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date

from django.db.models import Count, F, Q
from django.db.models.functions import TruncDate

from jobs.trends import QueueWait, queue_wait_by_day, queue_wait_chart
from moderation.models import DecisionOutcome, ReviewDecision, ReviewStage
from web.charts import Chart, Series, chart_build
from web.periods import Period


@dataclass(frozen=True)
class ReviewDay:
    """First-review decisions taken on one day (appeals and revoked approvals left out:
    the SLA is about the first decision)."""

    decided: int
    approved: int
    within_sla: int

    @property
    def approval_share(self) -> float | None:
        return self.approved / self.decided if self.decided else None

    @property
    def sla_met_share(self) -> float | None:
        return self.within_sla / self.decided if self.decided else None


def review_days(*, period: Period, cohort_id: int | None = None) -> dict[date, ReviewDay]:
    """Per UTC day of ``period``: first-review decisions, approvals, and decisions taken
    at or before the item's ``due_at``. Days without a decision are absent."""
    decisions = ReviewDecision.objects.filter(
        stage=ReviewStage.REVIEW,
        outcome__in=[DecisionOutcome.APPROVED, DecisionOutcome.REJECTED],
        created_at__gte=period.start,
        created_at__lt=period.end,
    )
    if cohort_id is not None:
        decisions = decisions.filter(item__cohort_id=cohort_id)
    rows = (
        decisions.order_by()
        .annotate(day=TruncDate("created_at", tzinfo=UTC))
        .values("day")
        .annotate(
            decided=Count("id"),
            approved=Count("id", filter=Q(outcome=DecisionOutcome.APPROVED)),
            within_sla=Count("id", filter=Q(created_at__lte=F("item__due_at"))),
        )
    )
    return {
        row["day"]: ReviewDay(
            decided=row["decided"], approved=row["approved"], within_sla=row["within_sla"]
        )
        for row in rows
    }


def _percent(share: float | None) -> float | None:
    return None if share is None else round(share * 100, 1)


def _shares(days: list[date], days_seen: dict[date, ReviewDay], share: str) -> list[float | None]:
    return [_percent(getattr(days_seen[d], share)) if d in days_seen else None for d in days]


def _percent_text(value: float) -> str:
    return f"{value:.1f} %"


def approval_rate_chart(*, period: Period, days_seen: dict[date, ReviewDay]) -> Chart:
    days = period.days
    return chart_build(
        key="approval-rate",
        title="Approval rate per day (%)",
        description=f"Share of first-review decisions that approved the video, by day "
        f"of decision, {days[0]} to {days[-1]} (UTC); no value on a day without decisions.",
        days=days,
        series=[
            Series(
                name="Approved",
                values=_shares(days, days_seen, "approval_share"),
            )
        ],
        unit="%",
        top=100,
        fmt=_percent_text,
    )


def sla_met_chart(*, period: Period, days_seen: dict[date, ReviewDay]) -> Chart:
    days = period.days
    return chart_build(
        key="sla-met",
        title="Review SLA met per day (%)",
        description=f"Share of first-review decisions taken by the item's due time, by "
        f"day of decision, {days[0]} to {days[-1]} (UTC); no value on a day without "
        f"decisions.",
        days=days,
        series=[
            Series(
                name="Decided by the due time",
                values=_shares(days, days_seen, "sla_met_share"),
                css="chart-series-2",
            )
        ],
        unit="%",
        top=100,
        fmt=_percent_text,
    )


def decisions_chart(*, period: Period, days_seen: dict[date, ReviewDay]) -> Chart:
    days = period.days
    return chart_build(
        key="decisions",
        title="Decisions per day",
        description=f"First-review decisions taken each day, {days[0]} to {days[-1]} "
        f"(UTC); {sum(d.decided for d in days_seen.values())} in all.",
        days=days,
        series=[
            Series(
                name="Decisions",
                values=[days_seen[d].decided if d in days_seen else 0 for d in days],
            )
        ],
        bars=True,
    )


@dataclass(frozen=True)
class ReviewTrends:
    days: dict[date, ReviewDay]
    waits: dict[date, QueueWait]
    charts: list[Chart]


def review_trends(*, period: Period, cohort_id: int | None = None) -> ReviewTrends:
    """The SLA page's charts: SLA met, queue wait, decisions and approval rate per day
    (two queries)."""
    days_seen = review_days(period=period, cohort_id=cohort_id)
    waits = queue_wait_by_day(period=period, cohort_id=cohort_id)
    return ReviewTrends(
        days=days_seen,
        waits=waits,
        charts=[
            sla_met_chart(period=period, days_seen=days_seen),
            queue_wait_chart(period=period, waits=waits),
            decisions_chart(period=period, days_seen=days_seen),
            approval_rate_chart(period=period, days_seen=days_seen),
        ],
    )
