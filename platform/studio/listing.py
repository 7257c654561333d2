"""What My generations and Compare show about a job: its status and review in words, and
the signed media links for the viewer. Reads only what ``jobs_of`` loaded: no queries."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.translation import gettext

from accounts.models import User
from jobs.models import Job, JobStatus, Output
from jobs.selectors import ReviewState, job_review_state
from moderation.reasons import reason_label
from web.media_links import media_url


def job_output(job: Job) -> Output | None:
    """The job's video, if it succeeded (loaded with the job)."""
    return getattr(job, "output", None) if job.status == JobStatus.SUCCEEDED else None


def status_in_words(job: Job) -> str:
    """ "Succeeded · approved", "Succeeded · in review", "Succeeded · rejected: <reason>",
    or the job's status alone while it has no video."""
    output = job_output(job)
    review = getattr(output, "review", None)
    status = job.get_status_display()
    if output is None or review is None:
        return status
    state = job_review_state(job)
    if state == ReviewState.APPROVED:
        decision = gettext("approved")
    elif state == ReviewState.REJECTED:
        decision = gettext("rejected: %(reason)s") % {"reason": reason_label(review.reason_code)}
    elif review.status == "appealed":
        decision = gettext("appeal in review")
    else:
        decision = gettext("in review")
    return f"{status} · {decision}"


@dataclass(frozen=True)
class GenerationRow:
    job: Job
    output: Output | None
    poster_url: str | None
    video_url: str | None
    review_state: ReviewState
    status_text: str

    @property
    def duration_seconds(self) -> float:
        """The video's measured length, or the length asked for while there is none."""
        return self.output.duration_seconds if self.output else float(self.job.duration_seconds)

    @property
    def comparable(self) -> bool:
        return self.output is not None


def generation_rows(
    *, jobs: Iterable[Job], viewer: User, videos: bool = False
) -> list[GenerationRow]:
    """One row per job, with poster (and, if ``videos``, video) links signed for ``viewer``."""
    rows = []
    for job in jobs:
        output = job_output(job)
        rows.append(
            GenerationRow(
                job=job,
                output=output,
                poster_url=media_url(output=output, kind="poster", viewer=viewer)
                if output
                else None,
                video_url=(
                    media_url(output=output, kind="video", viewer=viewer)
                    if output and videos
                    else None
                ),
                review_state=job_review_state(job),
                status_text=status_in_words(job),
            )
        )
    return rows
