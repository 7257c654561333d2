"""Reads about cohorts."""

from __future__ import annotations

from cohorts.models import Cohort


def cohort_seats_taken(*, cohort: Cohort) -> int:
    return cohort.members.count()
