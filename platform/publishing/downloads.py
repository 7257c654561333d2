"""Who may download an output, and when (issue 14; docs/decisions/0027).

One rule, asked everywhere a download is offered or served: the job page, the job JSON,
the API's download endpoint, and the media door when the bytes go out (so a link issued
before a revocation, a takedown or a policy change stops working at once).

Only the output's own artist downloads through this. Staff watch any output through the
media door (audited there) but are not offered a download: what they need for their work
they see on the review pages, and a trace starts from a copy someone else found.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from cohorts.options import DownloadPolicy
from jobs.models import Job, JobStatus
from moderation.models import ReviewStatus
from publishing.selectors import takedown_in_force


class DownloadRefusal(models.TextChoices):
    """Why a download is refused: a stable code (the API's ``download_refusal`` and
    ``reason_code``) and the sentence the job page shows."""

    NOT_OWNER = "not_owner", _("Only the artist who made this video can download it.")
    ACCOUNT_SUSPENDED = (
        "account_suspended",
        _("Downloads are closed while the account is suspended."),
    )
    NOT_READY = "not_ready", _("There is nothing to download until the video is finished.")
    DOWNLOADS_OFF = "downloads_off", _("Downloads are turned off for your cohort.")
    TAKEN_DOWN = "taken_down", _("The review team took this video down, so it can't be downloaded.")
    REVIEW_PENDING = "review_pending", _("Downloads open once this video is approved.")
    NOT_APPROVED = "not_approved", _("This video wasn't approved, so it can't be downloaded.")


# Refusals about who is asking (the API answers 403); the others are about the video's
# state, which may change (409).
WHO_REFUSALS = frozenset(
    {DownloadRefusal.NOT_OWNER, DownloadRefusal.ACCOUNT_SUSPENDED, DownloadRefusal.DOWNLOADS_OFF}
)


def download_refusal(*, job: Job, viewer: object) -> DownloadRefusal | None:
    """Why ``viewer`` may not download ``job``'s output now, or None if they may.

    In this order: the viewer is not the job's artist (staff included); the account is
    suspended; there is no output (the job hasn't succeeded); the job's cohort allows no
    downloads; a takedown is in force; the cohort allows them only after approval and
    the review's current decision isn't an approval (still open; rejected; approval
    revoked). The cohort is the one the job was made in.
    """

    if not isinstance(viewer, User) or viewer.pk is None or viewer.pk != job.artist_id:
        return DownloadRefusal.NOT_OWNER
    if not viewer.is_active:
        return DownloadRefusal.ACCOUNT_SUSPENDED
    output = getattr(job, "output", None) if job.status == JobStatus.SUCCEEDED else None
    if output is None:
        return DownloadRefusal.NOT_READY
    policy = job.cohort.download_policy
    if policy == DownloadPolicy.NEVER:
        return DownloadRefusal.DOWNLOADS_OFF
    if takedown_in_force(output=output) is not None:
        return DownloadRefusal.TAKEN_DOWN
    if policy == DownloadPolicy.AFTER_APPROVAL:
        review = getattr(output, "review", None)
        if review is None or review.is_open:
            return DownloadRefusal.REVIEW_PENDING
        if review.status != ReviewStatus.APPROVED:
            return DownloadRefusal.NOT_APPROVED
    return None


def download_filename(*, job: Job) -> str:
    return f"vernissage-{job.pk}.mp4"
