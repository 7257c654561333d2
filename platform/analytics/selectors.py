"""One cohort's figures and charts for a period (issue 18): who was active, how much they
made, how it fared in review, what they told us, who never came. Reads jobs, moderation,
feedback and invitations, so it sits above them all (a leaf: ``tests/test_layers.py``).
Each figure is one aggregate query; the charts are ``jobs.trends`` and
``moderation.trends``, the SLA page's own."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Count, Q

from cohorts.models import Cohort
from feedback.models import FeedbackItem
from invitations.models import Invitation, InvitationStatus
from jobs.models import Job
from jobs.trends import (
    QueueWait,
    generations_by_day,
    generations_chart,
    queue_wait_by_day,
    queue_wait_chart,
)
from moderation.trends import ReviewDay, approval_rate_chart, review_days, sla_met_chart
from web.charts import Chart
from web.periods import Period


@dataclass(frozen=True)
class CohortSummary:
    """``active_7``/``active_30``: artists of the cohort who submitted a job in the 7/30
    days ending with the period's last day. ``generations``, ``decided``, ``approved``,
    ``feedback``: within the period. ``members``: artists in the cohort now;
    ``never_came``: invitations into it still unused (pending or expired), of ``invited``
    (revoked ones left out)."""

    active_7: int
    active_30: int
    generations: int
    decided: int
    approved: int
    feedback: int
    members: int
    never_came: int
    invited: int

    @property
    def approval_share(self) -> float | None:
        return self.approved / self.decided if self.decided else None

    @property
    def feedback_per_artist(self) -> float | None:
        return self.feedback / self.members if self.members else None


@dataclass(frozen=True)
class CohortAnalytics:
    cohort: Cohort
    period: Period
    summary: CohortSummary
    generations: dict[date, int]
    reviews: dict[date, ReviewDay]
    waits: dict[date, QueueWait]
    charts: list[Chart]


def _active_artists(*, cohort: Cohort, period: Period) -> dict[str, int]:
    """Artists with a job in the 7 and in the 30 days ending with the period: one query."""
    week = period.end - timedelta(days=7)
    return Job.objects.filter(
        cohort=cohort, created_at__gte=period.end - timedelta(days=30), created_at__lt=period.end
    ).aggregate(
        active_7=Count("artist_id", distinct=True, filter=Q(created_at__gte=week)),
        active_30=Count("artist_id", distinct=True),
    )


def cohort_summary(
    *, cohort: Cohort, period: Period, generations: int, reviews: dict[date, ReviewDay]
) -> CohortSummary:
    invitations = Invitation.objects.filter(cohort=cohort).aggregate(
        invited=Count("id", filter=~Q(status=InvitationStatus.REVOKED)),
        never_came=Count("id", filter=Q(status=InvitationStatus.PENDING)),
    )
    active = _active_artists(cohort=cohort, period=period)
    return CohortSummary(
        active_7=active["active_7"],
        active_30=active["active_30"],
        generations=generations,
        decided=sum(day.decided for day in reviews.values()),
        approved=sum(day.approved for day in reviews.values()),
        feedback=FeedbackItem.objects.filter(
            cohort=cohort, created_at__gte=period.start, created_at__lt=period.end
        ).count(),
        members=cohort.members.count(),
        never_came=invitations["never_came"],
        invited=invitations["invited"],
    )


def cohort_analytics(*, cohort: Cohort, period: Period) -> CohortAnalytics:
    """The analytics page and its CSV: the summary and four charts (generations,
    approval rate, review SLA met, queue wait), by UTC day."""
    generations = generations_by_day(period=period, cohort_id=cohort.pk)
    reviews = review_days(period=period, cohort_id=cohort.pk)
    waits = queue_wait_by_day(period=period, cohort_id=cohort.pk)
    return CohortAnalytics(
        cohort=cohort,
        period=period,
        summary=cohort_summary(
            cohort=cohort, period=period, generations=sum(generations.values()), reviews=reviews
        ),
        generations=generations,
        reviews=reviews,
        waits=waits,
        charts=[
            generations_chart(period=period, counts=generations),
            approval_rate_chart(period=period, days_seen=reviews),
            sla_met_chart(period=period, days_seen=reviews),
            queue_wait_chart(period=period, waits=waits),
        ],
    )
