"""The anomaly rules, as plain functions of numbers, so each threshold is testable alone.

A rule returns a Finding (what crossed which line, in words an artist can read) or None.
"""

from __future__ import annotations

import itertools
import statistics
from dataclasses import dataclass

from django.conf import settings


@dataclass(frozen=True)
class Thresholds:
    window_seconds: int
    max_distinct_ips: int
    max_distinct_user_agents: int
    submission_floor: int
    submission_factor: int
    cadence_samples: int
    cadence_max_variation: float
    cadence_max_interval_seconds: float

    @classmethod
    def from_settings(cls) -> Thresholds:
        return cls(
            window_seconds=settings.ANOMALY_WINDOW_SECONDS,
            max_distinct_ips=settings.ANOMALY_MAX_DISTINCT_IPS,
            max_distinct_user_agents=settings.ANOMALY_MAX_DISTINCT_USER_AGENTS,
            submission_floor=settings.ANOMALY_SUBMISSION_FLOOR,
            submission_factor=settings.ANOMALY_SUBMISSION_FACTOR,
            cadence_samples=settings.ANOMALY_CADENCE_SAMPLES,
            cadence_max_variation=settings.ANOMALY_CADENCE_MAX_VARIATION_PERCENT / 100,
            cadence_max_interval_seconds=settings.ANOMALY_CADENCE_MAX_INTERVAL_SECONDS,
        )

    @property
    def window_minutes(self) -> str:
        minutes = self.window_seconds / 60
        return f"{minutes:g} minute" + ("" if minutes == 1 else "s")


@dataclass(frozen=True)
class Finding:
    rule: str  # stable: distinct_ips, distinct_user_agents, submission_rate, cadence
    observed: float
    limit: float
    explanation: str

    def as_dict(self) -> dict[str, object]:
        return {"rule": self.rule, "observed": self.observed, "limit": self.limit}


def distinct_ips_finding(count: int, limits: Thresholds) -> Finding | None:
    if count <= limits.max_distinct_ips:
        return None
    return Finding(
        "distinct_ips",
        count,
        limits.max_distinct_ips,
        f"your account was used from {count} different network addresses within "
        f"{limits.window_minutes} (the limit is {limits.max_distinct_ips})",
    )


def distinct_user_agents_finding(count: int, limits: Thresholds) -> Finding | None:
    if count <= limits.max_distinct_user_agents:
        return None
    return Finding(
        "distinct_user_agents",
        count,
        limits.max_distinct_user_agents,
        f"your account was used from {count} different browsers or programs within "
        f"{limits.window_minutes} (the limit is {limits.max_distinct_user_agents})",
    )


def submission_rate_finding(
    own: int, cohort_counts: list[int], limits: Thresholds
) -> Finding | None:
    """``own``: this artist's submissions in the window; ``cohort_counts``: those of the
    other artists of the cohort who submitted in it. Suspicious only above the floor AND
    ``factor`` times the cohort's median, so a busy day for everyone trips nothing."""
    median = statistics.median(cohort_counts) if cohort_counts else 0
    limit = max(limits.submission_floor, limits.submission_factor * median)
    if own <= limit:
        return None
    return Finding(
        "submission_rate",
        own,
        limit,
        f"your account submitted {own} generations within {limits.window_minutes}, "
        f"far above the other artists of your cohort (median {median:g})",
    )


def cadence_finding(times: list[float], limits: Thresholds) -> Finding | None:
    """Machine-regular cadence: the last N intervals between submissions are nearly equal
    (coefficient of variation below the limit) and short. People don't click like that."""
    recent = sorted(times)[-(limits.cadence_samples + 1) :]
    if len(recent) < limits.cadence_samples + 1:
        return None
    intervals = [later - earlier for earlier, later in itertools.pairwise(recent)]
    mean = statistics.fmean(intervals)
    if mean <= 0 or mean > limits.cadence_max_interval_seconds:
        return None
    variation = statistics.pstdev(intervals) / mean
    if variation >= limits.cadence_max_variation:
        return None
    return Finding(
        "cadence",
        round(variation, 4),
        limits.cadence_max_variation,
        f"your account's last {len(intervals)} submissions came every {mean:.1f} s "
        "with machine-like regularity",
    )
