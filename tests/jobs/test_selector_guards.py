"""Guards in ``jobs.selectors`` that no other test defended (docs/mutation.md): what
counts against today's quota. Each test names its guard; taking the guard away
(tools/guard_mutants.py) makes it fail."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.models import User
from jobs.models import Job, JobStatus
from jobs.selectors import (
    jobs_to_compare,
    quota_remaining_today,
    quota_used_today,
    utc_day_bounds,
)

pytestmark = pytest.mark.django_db


def job_at(artist: User, created_at: datetime, **fields: object) -> Job:
    assert artist.cohort is not None
    job = Job.objects.create(
        artist=artist, cohort=artist.cohort, status=JobStatus.FAILED, prompt="a lantern in fog",
        duration_seconds=2, resolution="480p", aspect_ratio="16:9", seed=3, model="tiny-wan",
        num_frames=9, width=64, height=64, fps=8, steps=4, guidance=5.0, max_attempts=3,
        finished_at=created_at, error_code="render_failed", **fields,
    )  # fmt: skip
    Job.objects.filter(pk=job.pk).update(created_at=created_at)  # auto_now_add otherwise
    return job


def test_only_the_artists_own_unrefunded_jobs_of_this_utc_day_count(artist, other_artist):
    """The guards: ``quota_used_today``'s ``filter(artist=user, created_at__gte=start,
    quota_refunded=False)``, one condition each: another artist's job today, this
    artist's job a minute before midnight UTC and their refunded job today (failed by our
    fault) don't count; their one ordinary job today does."""
    now = timezone.now()
    start, _ = utc_day_bounds(now)
    job_at(artist, start + timedelta(seconds=1))  # counts
    job_at(other_artist, start + timedelta(seconds=1))
    job_at(artist, start - timedelta(minutes=1))
    job_at(artist, start + timedelta(seconds=2), quota_refunded=True)

    assert quota_used_today(user=artist, now=now) == 1


def test_an_account_without_a_cohort_has_no_quota(reviewer):
    """The guard: ``quota_remaining_today``'s ``user.cohort is None``: staff (no cohort)
    have no quota to show, rather than a server error."""
    assert reviewer.cohort is None
    assert quota_remaining_today(user=reviewer) is None


def test_a_malformed_pick_is_refused_before_any_job_is_looked_up(artist, other_artist, make_output):
    """The guard: ``jobs_to_compare``'s first ``if problems: raise``. A pick whose shape
    is wrong (five videos; one picked twice) is refused for that alone: the jobs are not
    looked up, so nothing is said about whether they exist or whose they are."""
    theirs = make_output(other_artist).job_id
    mine = make_output(artist).job_id

    with pytest.raises(ValidationError) as too_many:
        jobs_to_compare(artist=artist, job_ids=[str(mine), str(theirs), "7001", "7002", "7003"])
    with pytest.raises(ValidationError) as twice:
        jobs_to_compare(artist=artist, job_ids=[str(theirs), str(theirs)])

    assert [e.code for e in too_many.value.error_dict["job"]] == ["too_many"]
    assert [e.code for e in twice.value.error_dict["job"]] == ["duplicate"]
