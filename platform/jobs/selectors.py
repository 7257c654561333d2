"""Reads about jobs: quota, lists, the one job an artist may see."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from accounts.models import User
from accounts.permissions import has_staff_flag
from jobs.models import Job, JobStatus


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


class ReviewState(models.TextChoices):
    """Where a job's video stands with the review team, as its artist is told (the
    ``review`` filter and the list's ``review_state``). The review item's own status says
    more (claimed, appealed); this groups what the artist can act on."""

    IN_REVIEW = "in_review", gettext_lazy("In review")
    APPROVED = "approved", gettext_lazy("Approved")
    REJECTED = "rejected", gettext_lazy("Rejected")
    NONE = "none", gettext_lazy("Not in review (no video)")


# Review item statuses behind each state ("none": no review item at all).
_REVIEW_STATUSES = {
    ReviewState.IN_REVIEW: ("pending", "claimed", "appealed"),
    ReviewState.APPROVED: ("approved",),
    ReviewState.REJECTED: ("rejected",),
}


def job_review_state(job: Job) -> ReviewState:
    """The job's review state, from the output and review loaded with it (no query when
    the job came from ``jobs_of``)."""
    review = getattr(getattr(job, "output", None), "review", None)
    if review is None:
        return ReviewState.NONE
    for state, statuses in _REVIEW_STATUSES.items():
        if review.status in statuses:
            return state
    raise ValueError(f"Unknown review status {review.status!r}")


def jobs_of(
    *,
    artist: User,
    status: str = "",
    review: str = "",
    submitted_from: date | None = None,
    submitted_to: date | None = None,
) -> QuerySet[Job]:
    """``artist``'s jobs, newest first, each with its output and review in the same query.

    Optional filters (validated by ``jobs.forms.GenerationFilterForm``): a job status, a
    ``ReviewState`` and the UTC days of submission, both ends included."""
    queryset = Job.objects.filter(artist=artist).select_related("output", "output__review")
    if status:
        queryset = queryset.filter(status=status)
    if review == ReviewState.NONE:
        queryset = queryset.filter(output__review__isnull=True)
    elif review:
        queryset = queryset.filter(output__review__status__in=_REVIEW_STATUSES[ReviewState(review)])
    if submitted_from is not None:
        queryset = queryset.filter(created_at__gte=datetime.combine(submitted_from, time(), UTC))
    if submitted_to is not None and submitted_to < date.max:
        end = datetime.combine(submitted_to + timedelta(days=1), time(), UTC)
        queryset = queryset.filter(created_at__lt=end)
    return queryset


COMPARE_MIN, COMPARE_MAX = 2, 4


def jobs_to_compare(*, artist: User, job_ids: Sequence[str]) -> list[Job]:
    """2 to 4 of ``artist``'s own succeeded jobs, in the order asked, with their outputs.

    Raises ``ValidationError`` on the ``job`` field naming every problem: a malformed id,
    too few or too many, one picked twice, one that isn't the artist's (worded exactly as
    one that doesn't exist), one without a video."""
    problems: list[ValidationError] = []
    ids: list[int] = []
    for raw in job_ids:
        text = raw.strip().removeprefix("#")
        if not text.isascii() or not text.isdigit() or len(text) > 18:
            problems.append(
                ValidationError(
                    gettext("“%(value)s” is not a job number."),
                    code="invalid",
                    params={"value": raw[:40]},
                )
            )
        elif int(text) in ids:
            problems.append(
                ValidationError(
                    gettext("Job #%(id)s is picked twice: pick each video once."),
                    code="duplicate",
                    params={"id": int(text)},
                )
            )
        else:
            ids.append(int(text))
    if len(job_ids) < COMPARE_MIN:
        problems.append(
            ValidationError(
                gettext("Pick at least %(min)d of your videos to compare."),
                code="too_few",
                params={"min": COMPARE_MIN},
            )
        )
    elif len(job_ids) > COMPARE_MAX:
        problems.append(
            ValidationError(
                gettext("Pick at most %(max)d videos to compare."),
                code="too_many",
                params={"max": COMPARE_MAX},
            )
        )
    if problems:
        raise ValidationError({"job": problems})
    found = {
        job.pk: job
        for job in Job.objects.filter(artist=artist, pk__in=ids).select_related(
            "output", "output__review"
        )
    }
    for job_id in ids:
        job = found.get(job_id)
        if job is None:
            problems.append(
                ValidationError(
                    gettext("You have no job #%(id)s."), code="not_found", params={"id": job_id}
                )
            )
        elif job.status != JobStatus.SUCCEEDED or getattr(job, "output", None) is None:
            problems.append(
                ValidationError(
                    gettext("Job #%(id)s has no video to compare (it is %(status)s)."),
                    code="no_video",
                    params={"id": job_id, "status": job.get_status_display().lower()},
                )
            )
    if problems:
        raise ValidationError({"job": problems})
    return [found[job_id] for job_id in ids]


def job_visible_to(*, user: User, job_id: int) -> Job | None:
    """The job, if ``user`` may see it: its artist, or staff. Otherwise None (a 404)."""
    queryset = Job.objects.select_related("output", "artist")
    if not has_staff_flag(user):
        queryset = queryset.filter(artist=user)
    return queryset.filter(pk=job_id).first()


def job_variation_ids(*, job: Job) -> list[int]:
    """The ids of every job of ``job``'s submission (its variations), in seed order."""
    first = job.variation_of_id or job.pk
    return list(
        Job.objects.filter(Q(pk=first) | Q(variation_of_id=first))
        .order_by("variation_index")
        .values_list("pk", flat=True)
    )
