"""Reads about cohorts."""

from __future__ import annotations

from django.db.models import Count, QuerySet

from cohorts.models import Cohort


def cohort_seats_taken(*, cohort: Cohort) -> int:
    return cohort.members.count()


def cohorts_with_seats_taken() -> QuerySet[Cohort]:
    """Every cohort by name, each with ``seats_taken`` (its members, counted in the one
    query)."""
    return Cohort.objects.annotate(seats_taken=Count("members")).order_by("name")
