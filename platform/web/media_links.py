"""Signed links to private media (decision 0007): who may fetch a file is decided when the
link is used, by the media door (``publishing.media``), which checks these signatures. A
link names the file and the viewer it was made for; making one grants nothing, so every
page and API that shows media makes its links here, without reaching up to the door."""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING

from django.conf import settings
from django.core import signing
from django.urls import get_script_prefix, get_urlconf, reverse

if TYPE_CHECKING:
    from feedback.models import Attachment
    from jobs.models import Job, Output, Shot
    from uploads.models import InputImage

SALT = "vernissage.media.v1"
DOWNLOAD = "download"  # the claim of a download link: the video, as a file to keep


def _viewer_id(viewer: object) -> int:
    """A signed-in account's id; 0 for anyone else (anonymous: public media only)."""
    if getattr(viewer, "is_authenticated", False):
        pk = getattr(viewer, "pk", None)
        return pk if isinstance(pk, int) else 0
    return 0


# An output id no link names, standing for the real one in a cached path: the review queue
# makes two links per row, and ``reverse`` costs ~30x the signing (docs/benchmarks.md).
_ANY_OUTPUT = 2_147_483_647
_media_paths: dict[tuple[object, ...], str] = {}


def _media_path(output_id: int, kind: str) -> str:
    key = (settings.ROOT_URLCONF, get_urlconf(), get_script_prefix(), kind)
    path = _media_paths.get(key)
    if path is None:
        path = reverse("publishing:media", kwargs={"output_id": _ANY_OUTPUT, "kind": kind})
        if len(_media_paths) < 256:  # a handful of kinds and prefixes in practice
            _media_paths[key] = path
    return path.replace(f"/{_ANY_OUTPUT}/", f"/{output_id}/", 1)


def media_url(*, output: Output, kind: str, viewer: object) -> str:
    """A signed URL for ``viewer`` (a user, or anonymous) to fetch one file of ``output``."""
    user_id = _viewer_id(viewer)
    token = signing.dumps({"o": output.pk, "k": kind, "u": user_id}, salt=SALT)
    return _media_path(output.pk, kind) + "?t=" + token


def download_url(*, output: Output, viewer: object) -> str:
    """A signed URL for ``viewer`` to download ``output``'s MP4 as a file. Each carries a
    nonce, so each link handed out is one download in the audit log (however many range
    requests fetch it). Only offer it when ``publishing.downloads.download_refusal`` is
    None: the door asks again when it is used."""
    user_id = _viewer_id(viewer)
    token = signing.dumps(
        {"o": output.pk, "k": DOWNLOAD, "u": user_id, "n": secrets.token_urlsafe(9)}, salt=SALT
    )
    return reverse("publishing:media_download", kwargs={"output_id": output.pk}) + "?t=" + token


def screenshot_url(*, attachment: Attachment, viewer: object) -> str:
    """A signed URL for ``viewer`` to fetch one bug-report screenshot."""
    user_id = _viewer_id(viewer)
    token = signing.dumps({"a": attachment.pk, "u": user_id}, salt=SALT)
    return reverse("publishing:screenshot", kwargs={"attachment_id": attachment.pk}) + "?t=" + token


def input_image_url(*, image: InputImage, viewer: object) -> str:
    """A signed URL for ``viewer`` to fetch one input image (a job's start image)."""
    user_id = _viewer_id(viewer)
    token = signing.dumps({"i": image.pk, "u": user_id}, salt=SALT)
    return reverse("publishing:input_image", kwargs={"image_id": image.pk}) + "?t=" + token


def shots_shown(*, job: Job, viewer: object) -> list[tuple[Shot, str | None]]:
    """A storyboard's shots, each with a signed URL of its start image for ``viewer``
    (None for a shot without one); empty for any other mode."""
    if job.mode != "storyboard":  # jobs.models.GenerationMode.STORYBOARD
        return []
    return [
        (shot, input_image_url(image=shot.start_image, viewer=viewer) if shot.start_image else None)
        for shot in job.shots.select_related("start_image")
    ]
