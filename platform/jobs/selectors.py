"""Reads about jobs: quota, lists, the one job an artist may see."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from django.db.models import QuerySet
from django.utils import timezone

from accounts.models import User
from jobs.models import Job


def utc_day_bounds(now: datetime | None = None) -> tuple[datetime, datetime]:
    moment = (now or timezone.now()).astimezone(UTC)
    start = moment.replace(hour=0, minute=0, second=0, microsecond=0)
    return start, start + timedelta(days=1)


def quota_used_today(*, user: User, now: datetime | None = None) -> int:
    """Jobs submitted since midnight UTC, except those refunded (failed by our fault)."""
    start, _ = utc_day_bounds(now)
    return Job.objects.filter(artist=user, created_at__gte=start, quota_refunded=False).count()


def quota_remaining_today(*, user: User) -> int | None:
    """Generations ``user`` may still submit today (UTC); None for users without a cohort."""
    if user.cohort is None:
        return None
    return max(0, user.cohort.daily_generation_quota - quota_used_today(user=user))


def jobs_of(*, artist: User) -> QuerySet[Job]:
    return Job.objects.filter(artist=artist).select_related("output")


def job_visible_to(*, user: User, job_id: int) -> Job | None:
    """The job, if ``user`` may see it: its artist, or staff. Otherwise None (a 404)."""
    queryset = Job.objects.select_related("output", "artist")
    if not user.is_staff:
        queryset = queryset.filter(artist=user)
    return queryset.filter(pk=job_id).first()
