"""One cohort's analytics for a period as CSV: the summary figures, then one row per day
with the numbers behind every chart. Spreadsheet-safe: a cell that a spreadsheet would
run as a formula is written with a leading apostrophe."""

from __future__ import annotations

import csv
import io

from analytics.selectors import CohortAnalytics

DAY_COLUMNS = [
    "day",
    "generations",
    "decided",
    "approved",
    "approval_rate_percent",
    "decided_within_sla",
    "sla_met_percent",
    "jobs_started",
    "queue_wait_median_seconds",
    "queue_wait_p90_seconds",
]
# A spreadsheet runs a cell that starts with one of these as a formula.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: object) -> str:
    """``value`` as text a spreadsheet shows and never runs: "" for None."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def _percent(share: float | None) -> str:
    return "" if share is None else f"{share * 100:.1f}"


def analytics_filename(analytics: CohortAnalytics) -> str:
    period = analytics.period
    return (
        f"cohort-{analytics.cohort.pk}-analytics-"
        f"{period.first_day.isoformat()}-to-{period.last_day.isoformat()}.csv"
    )


def analytics_csv(analytics: CohortAnalytics) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")

    def row(*cells: object) -> None:
        writer.writerow([csv_cell(cell) for cell in cells])

    summary, period = analytics.summary, analytics.period
    row("cohort", analytics.cohort.name)
    row("from", period.first_day.isoformat())
    row("to", period.last_day.isoformat())
    row()
    row("figure", "value")
    row("active_artists_7_days", summary.active_7)
    row("active_artists_30_days", summary.active_30)
    row("generations", summary.generations)
    row("decided", summary.decided)
    row("approved", summary.approved)
    row("approval_rate_percent", _percent(summary.approval_share))
    row("feedback_items", summary.feedback)
    row("artists", summary.members)
    feedback_per_artist = summary.feedback_per_artist
    row("feedback_per_artist", "" if feedback_per_artist is None else f"{feedback_per_artist:.2f}")
    row("invited", summary.invited)
    row("invitees_never_came", summary.never_came)
    row()
    row(*DAY_COLUMNS)
    for day in period.days:
        review = analytics.reviews.get(day)
        wait = analytics.waits.get(day)
        row(
            day.isoformat(),
            analytics.generations.get(day, 0),
            review.decided if review else 0,
            review.approved if review else 0,
            _percent(review.approval_share if review else None),
            review.within_sla if review else 0,
            _percent(review.sla_met_share if review else None),
            wait.started if wait else 0,
            f"{wait.median_seconds:.1f}" if wait else "",
            f"{wait.p90_seconds:.1f}" if wait else "",
        )
    return out.getvalue()
