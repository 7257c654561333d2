"""Cohort analytics and the SLA page's series (issue 18), against rows written at known
times: every figure and every day's value, exactly."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.utils import timezone

import jobs.trends
from accounts.roles import Role
from accounts.services import user_create
from analytics.selectors import cohort_analytics
from cohorts.services import cohort_create
from feedback.models import FeedbackItem
from invitations.models import Invitation, InvitationStatus
from jobs.trends import generations_by_day, queue_wait_by_day
from moderation.trends import review_days, review_trends
from tests.analytics.rows import at, decision, job, review_item
from web.periods import Period

pytestmark = pytest.mark.django_db


@pytest.fixture
def scene(cohort, artist, other_artist, unsigned_artist, reviewer):
    """Three days d0..d2 ten days ago, in ``cohort`` (Wave 1), plus noise outside it."""
    d0 = timezone.now().date() - timedelta(days=10)
    d1, d2 = d0 + timedelta(days=1), d0 + timedelta(days=2)
    period = Period(first_day=d0, last_day=d2)
    elsewhere = cohort_create(actor=None, name="Wave 2", capacity=5)
    stranger = user_create(
        email="zed@example.com", password="x" * 12, role=Role.ARTIST, cohort=elsewhere
    )
    jobs = [
        job(artist, at(d0, 10), waited=60),
        job(artist, at(d0, 11), waited=180),
        job(artist, at(d1, 9), waited=600),
        job(artist, at(d1, 12)),  # still queued: counted, no wait
        job(other_artist, at(d2, 23, 59), waited=120),
    ]
    job(unsigned_artist, at(d2, 12) - timedelta(days=15), waited=5)  # before: active 30 only
    job(artist, at(d2, 12) + timedelta(days=1), waited=5)  # after the period
    noise = job(stranger, at(d0, 10), waited=9999)  # another cohort
    one = review_item(jobs[0], due=at(d0, 12))
    two = review_item(jobs[1], due=at(d0, 12))
    three = review_item(jobs[2], due=at(d2, 0))
    decision(one, reviewer, outcome="approved", when=at(d0, 11))  # in time
    decision(two, reviewer, outcome="rejected", when=at(d1, 10))  # late
    decision(three, reviewer, outcome="approved", when=at(d1, 13))  # in time
    decision(three, reviewer, outcome="revoked", when=at(d1, 14))  # not a first decision
    decision(two, reviewer, outcome="approved", when=at(d2, 9), stage="appeal")  # appeal
    decision(review_item(noise, due=at(d1, 0)), reviewer, outcome="rejected", when=at(d1, 1))
    for who, when in ((artist, at(d0, 8)), (other_artist, at(d1, 8)), (artist, at(d2, 8))):
        FeedbackItem.objects.create(reporter=who, cohort=cohort, kind="feature", title="t",
                                    created_at=when)  # fmt: skip
    FeedbackItem.objects.create(
        reporter=artist,
        cohort=cohort,
        kind="feature",
        title="old",
        created_at=at(d0, 8) - timedelta(days=1),
    )
    expires = timezone.now() + timedelta(days=7)
    for n, status in enumerate(["pending", "pending", "revoked", "accepted"]):
        Invitation.objects.create(
            email=f"i{n}@example.com", cohort=cohort, token_hash=f"{n:064d}", status=status,
            expires_at=expires,
            accepted_at=timezone.now() if status == "accepted" else None,
            revoked_at=timezone.now() if status == "revoked" else None,
        )  # fmt: skip
    Invitation.objects.create(
        email="gone@example.com", cohort=cohort, token_hash="e" * 64,
        status=InvitationStatus.PENDING, created_at=timezone.now() - timedelta(days=30),
        expires_at=timezone.now() - timedelta(days=1),
    )  # fmt: skip
    return {"period": period, "days": (d0, d1, d2), "cohort": cohort}


def test_generations_by_day_count_the_cohorts_jobs_in_the_period(scene) -> None:
    d0, d1, d2 = scene["days"]
    counts = generations_by_day(period=scene["period"], cohort_id=scene["cohort"].pk)
    assert counts == {d0: 2, d1: 2, d2: 1}
    assert generations_by_day(period=scene["period"])[d0] == 3  # every cohort


def test_queue_wait_is_the_median_and_p90_of_started_jobs(scene) -> None:
    d0, d1, d2 = scene["days"]
    waits = queue_wait_by_day(period=scene["period"], cohort_id=scene["cohort"].pk)
    assert set(waits) == {d0, d1, d2}
    assert (waits[d0].started, waits[d0].median_seconds, waits[d0].p90_seconds) == (2, 120, 168)
    assert (waits[d1].started, waits[d1].median_seconds, waits[d1].p90_seconds) == (1, 600, 600)
    assert (waits[d2].median_seconds, waits[d2].p90_seconds) == (120, 120)  # 23:59 is d2


def test_queue_wait_without_percentile_cont_gives_the_same_answers(scene, monkeypatch) -> None:
    # The embedded SQLite default has no percentile_cont: there the waits are sorted in
    # Python, and must read exactly as PostgreSQL's do.
    cohort_id = scene["cohort"].pk
    in_postgres = [
        queue_wait_by_day(period=scene["period"]),
        queue_wait_by_day(period=scene["period"], cohort_id=cohort_id),
    ]
    monkeypatch.setattr(jobs.trends, "connection", SimpleNamespace(vendor="sqlite"))
    assert [
        queue_wait_by_day(period=scene["period"]),
        queue_wait_by_day(period=scene["period"], cohort_id=cohort_id),
    ] == in_postgres


def test_review_days_count_first_decisions_approvals_and_sla_met(scene) -> None:
    d0, d1, _ = scene["days"]
    days = review_days(period=scene["period"], cohort_id=scene["cohort"].pk)
    assert {day: (r.decided, r.approved, r.within_sla) for day, r in days.items()} == {
        d0: (1, 1, 1),
        d1: (2, 1, 1),
    }
    assert days[d1].approval_share == 0.5 and days[d1].sla_met_share == 0.5
    everyone = review_days(period=scene["period"])
    assert (everyone[d1].decided, everyone[d1].within_sla) == (3, 1)


def test_cohort_summary(scene) -> None:
    analytics = cohort_analytics(cohort=scene["cohort"], period=scene["period"])
    summary = analytics.summary
    assert (summary.active_7, summary.active_30) == (2, 3)
    assert summary.generations == 5
    assert (summary.decided, summary.approved) == (3, 2)
    assert summary.approval_share == pytest.approx(2 / 3)
    assert (summary.feedback, summary.members) == (3, 3)
    assert summary.feedback_per_artist == 1.0
    assert (summary.never_came, summary.invited) == (3, 4)  # pending + expired, of 4 not revoked
    assert [chart.key for chart in analytics.charts] == [
        "generations", "approval-rate", "sla-met", "queue-wait"
    ]  # fmt: skip


def test_charts_carry_each_days_numbers(scene) -> None:
    d0, d1, d2 = scene["days"]
    analytics = cohort_analytics(cohort=scene["cohort"], period=scene["period"])
    charts = {chart.key: chart for chart in analytics.charts}
    assert [row.cells for row in charts["generations"].rows] == [["2"], ["2"], ["1"]]
    assert [row.cells for row in charts["approval-rate"].rows] == [
        ["100.0 %"], ["50.0 %"], ["—"]
    ]  # fmt: skip
    assert [row.cells for row in charts["sla-met"].rows] == [["100.0 %"], ["50.0 %"], ["—"]]
    assert [row.cells for row in charts["queue-wait"].rows] == [
        ["2", "2.8"], ["10", "10"], ["2", "2"]
    ]  # fmt: skip
    assert [row.label for row in charts["generations"].rows] == [
        d0.isoformat(), d1.isoformat(), d2.isoformat()
    ]  # fmt: skip


def test_the_sla_page_series_are_the_same_functions(scene) -> None:
    trends = review_trends(period=scene["period"])
    assert [chart.key for chart in trends.charts] == [
        "sla-met", "queue-wait", "decisions", "approval-rate"
    ]  # fmt: skip
    assert [row.cells for row in trends.charts[2].rows] == [["1"], ["3"], ["0"]]


def test_an_empty_period_has_no_values_and_no_division(cohort) -> None:
    day = timezone.now().date() - timedelta(days=400)
    analytics = cohort_analytics(cohort=cohort, period=Period(first_day=day, last_day=day))
    assert analytics.summary.approval_share is None
    assert analytics.summary.feedback_per_artist is None  # no artists
    assert all(chart.empty for chart in analytics.charts[1:])
    assert analytics.charts[0].rows[0].cells == ["0"]
