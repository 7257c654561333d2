"""Marks every output carries, applied by the worker to the frames before encoding.

The forensic mark (job id, always; decision 0011) lets staff trace a leaked clip to the
job and so the account; the visible mark ("<program> · <artist>") is a cohort option.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings

from accounts.selectors import user_public_byline
from generation.visible_watermark import apply_visible_watermark
from generation.watermark import embed

if TYPE_CHECKING:
    import numpy as np

    from accounts.models import User
    from jobs.models import Job


def artist_handle(artist: User) -> str:
    """How the visible mark names an artist: as every public surface does (the mark is
    in the published video), by their public credit or a neutral label; never by the
    name signed on the NDA or the email address. The forensic mark names the account."""
    return user_public_byline(user=artist)


def visible_mark_text(job: Job) -> str:
    return f"{settings.WATERMARK_PROGRAM_NAME} · {artist_handle(job.artist)}"


def output_marks_apply(job: Job, frames: np.ndarray) -> np.ndarray:
    """The frames to encode for ``job``: the visible mark first when the job's cohort asks
    for it (so the forensic mark covers it too), then the forensic mark of ``job.pk``."""
    # The cohort the job was submitted under, not the artist's current one: the output
    # is marked by the rules it was made under.
    if job.cohort.visible_watermark:
        frames = apply_visible_watermark(frames, text=visible_mark_text(job))
    return embed(
        frames,
        job_id=job.pk,
        key=settings.WATERMARK_KEY.encode(),
        strength=settings.WATERMARK_STRENGTH,
    )
