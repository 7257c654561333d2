"""Each anomaly rule alone, at and around its threshold."""

from __future__ import annotations

import random

from containment.rules import (
    Thresholds,
    cadence_finding,
    distinct_ips_finding,
    distinct_user_agents_finding,
    submission_rate_finding,
)

LIMITS = Thresholds(
    window_seconds=600,
    max_distinct_ips=12,
    max_distinct_user_agents=10,
    submission_floor=40,
    submission_factor=5,
    cadence_samples=12,
    cadence_max_variation=0.05,
    cadence_max_interval_seconds=120,
)


def test_distinct_addresses_over_the_limit_only():
    assert distinct_ips_finding(12, LIMITS) is None
    finding = distinct_ips_finding(13, LIMITS)
    assert finding is not None and finding.rule == "distinct_ips"
    assert "13 different network addresses within 10 minutes" in finding.explanation


def test_distinct_user_agents_over_the_limit_only():
    assert distinct_user_agents_finding(10, LIMITS) is None
    finding = distinct_user_agents_finding(11, LIMITS)
    assert finding is not None and finding.rule == "distinct_user_agents"


def test_submission_rate_is_judged_against_the_cohort():
    quiet_cohort = [2, 3, 4]
    assert submission_rate_finding(40, quiet_cohort, LIMITS) is None  # at the floor
    assert submission_rate_finding(41, quiet_cohort, LIMITS) is not None
    # On a busy day for everyone (median 30) the same 41 is normal: 5 * 30 = 150.
    busy_cohort = [25, 30, 35]
    assert submission_rate_finding(41, busy_cohort, LIMITS) is None
    assert submission_rate_finding(151, busy_cohort, LIMITS) is not None
    # Alone in the cohort: only the floor applies.
    assert submission_rate_finding(41, [], LIMITS) is not None


def test_machine_regular_cadence_is_found_and_human_timing_is_not():
    clockwork = [1000.0 + 5.0 * i for i in range(13)]
    finding = cadence_finding(clockwork, LIMITS)
    assert finding is not None and finding.rule == "cadence"
    rng = random.Random(7)
    human, at = [], 1000.0
    for _ in range(40):
        at += rng.uniform(4, 60)
        human.append(at)
    assert cadence_finding(human, LIMITS) is None


def test_cadence_needs_enough_samples_and_short_intervals():
    assert cadence_finding([1000.0 + 5.0 * i for i in range(12)], LIMITS) is None  # 11 gaps
    slow_clock = [1000.0 + 600.0 * i for i in range(20)]  # regular but every 10 minutes
    assert cadence_finding(slow_clock, LIMITS) is None
