"""Reads about cohorts."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cohorts.models import Cohort

if TYPE_CHECKING:
    from accounts.models import User


def cohort_seats_taken(*, cohort: Cohort) -> int:
    return cohort.members.count()


def cohort_seats_left(*, cohort: Cohort) -> int:
    return max(0, cohort.capacity - cohort_seats_taken(cohort=cohort))


def quota_remaining_today(*, user: User) -> int | None:
    """Generations ``user`` may still submit today (UTC); ``None`` for users without a cohort.

    Until the generation queue exists (issue 3) nothing has been spent, so this is the
    cohort's full daily quota.
    """
    if user.cohort_id is None:
        return None
    cohort = user.cohort
    assert cohort is not None
    return cohort.daily_generation_quota
