"""Rows for the analytics tests, written straight to the tables at chosen times (the
figures are aggregate SQL over these columns; the services that normally write them
stamp ``now``)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from accounts.models import User
from jobs.models import Job, JobStatus, Output
from moderation.models import ReviewDecision, ReviewItem, ReviewStage


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=UTC)


def job(artist: User, created: datetime, *, waited: int | None = None) -> Job:
    """A job submitted at ``created``; started ``waited`` seconds later (and succeeded),
    or still queued when ``waited`` is None."""
    assert artist.cohort is not None
    started = created + timedelta(seconds=waited) if waited is not None else None
    made = Job.objects.create(
        artist=artist, cohort=artist.cohort, prompt="a harbour", duration_seconds=2,
        resolution="480p", aspect_ratio="16:9", seed=1, model="tiny-wan", num_frames=9,
        width=80, height=48, fps=8, steps=4, guidance=5.0,
        status=JobStatus.SUCCEEDED if started else JobStatus.QUEUED,
        progress=1.0 if started else 0.0, attempt=1 if started else 0,
        started_at=started, finished_at=started,
    )  # fmt: skip
    Job.objects.filter(pk=made.pk).update(created_at=created)  # auto_now_add otherwise
    made.refresh_from_db()
    return made


def review_item(made: Job, *, due: datetime) -> ReviewItem:
    output = Output.objects.create(
        job=made, video="outputs/x.mp4", poster="outputs/x.jpg", width=80, height=48, fps=8,
        frame_count=9, duration_seconds=1.1, codec="h264", size_bytes=1, sha256="0" * 64,
    )  # fmt: skip
    return ReviewItem.objects.create(
        output=output, artist=made.artist, cohort=made.cohort, due_at=due,
        created_at=due - timedelta(hours=48),
    )  # fmt: skip


def decision(
    item: ReviewItem, reviewer: User, *, outcome: str, when: datetime, stage: str = "review"
) -> ReviewDecision:
    return ReviewDecision.objects.create(
        item=item, reviewer=reviewer, reviewer_role="reviewer", stage=ReviewStage(stage),
        outcome=outcome, reason_code="" if outcome != "rejected" else "other", created_at=when,
    )  # fmt: skip
