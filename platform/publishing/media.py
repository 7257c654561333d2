"""The one door to media files: signed, short-lived URLs, re-authorised on every request.

A URL names the output, the file kind and the viewer it was issued to, signed with the
secret key and valid for MEDIA_URL_TTL_SECONDS. Each request re-checks, against the
current state, that the file may be seen: anyone for a published, approved output;
otherwise only the viewer it was issued to, and only while they are its artist or staff.
So unpublishing or revoking takes effect at once, before any URL expires. Every refusal is
a 404, the same as for a file that doesn't exist.
"""

from __future__ import annotations

import hashlib
import re
import time
from collections.abc import Iterator
from datetime import timedelta
from typing import IO, TYPE_CHECKING
from urllib.parse import quote

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.db.models.fields.files import FieldFile
from django.http import (
    FileResponse,
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
    StreamingHttpResponse,
)
from django.http.response import HttpResponseBase

from accounts.authentication import ApiTokenAuthentication
from accounts.models import User
from accounts.permissions import has_staff_flag, is_reviewer
from accounts.scopes import token_scopes_for
from audit.services import audit_record
from feedback.models import Attachment
from jobs.models import Output
from publishing.downloads import download_filename, download_refusal
from publishing.selectors import is_publicly_visible
from uploads.models import InputImage
from web.media_links import DOWNLOAD, SALT

if TYPE_CHECKING:
    from feedback.models import Attachment

KINDS = {"video": "video/mp4", "poster": "image/jpeg", "filmstrip": "image/jpeg"}
# Working files for review (issue 18): never public, even for a published output; only
# its artist and staff who review. An output made before filmstrips has none (404).
PRIVATE_KINDS = frozenset({"filmstrip"})
# One range, ASCII digits only (``\d`` would also match other scripts' digits).
_RANGE = re.compile(r"^bytes=([0-9]*)-([0-9]*)$")
# A position with more significant digits than this is past the end of any file we hold;
# reading it as a number could fail (Python refuses numbers over 4,300 digits).
_POSITION_DIGITS = 18
_CHUNK = 64 * 1024
# How far in the future a URL's signing time may be: web machines' clocks (NTP) agree
# to well within this. Anything later was not signed by us at the time it claims.
CLOCK_SKEW_SECONDS = 5


class _MediaSigner(signing.TimestampSigner):
    """Django's timestamp signer refuses URLs older than ``max_age`` but accepts any
    dated in the future (its age is negative); this one refuses those too."""

    def unsign(self, value: str, max_age: int | timedelta | None = None) -> str:
        result = signing.Signer.unsign(self, value)
        result, stamp = result.rsplit(self.sep, 1)
        age = time.time() - signing.b62_decode(stamp)
        if isinstance(max_age, timedelta):
            max_age = int(max_age.total_seconds())
        if max_age is not None and age > max_age:
            raise signing.SignatureExpired(f"Signature age {age} > {max_age} seconds")
        if age < -CLOCK_SKEW_SECONDS:
            raise signing.BadSignature(f"Signature dated {-age:.0f} seconds in the future")
        return result


def media_authorise(*, request: HttpRequest, output_id: int, kind: str) -> Output | None:
    """The output if this request may fetch it now; None otherwise (answer 404)."""
    if kind not in KINDS:
        return None
    try:
        claims = _MediaSigner(salt=SALT).unsign_object(
            request.GET.get("t", ""), max_age=settings.MEDIA_URL_TTL_SECONDS
        )
    except signing.BadSignature:  # tampered, expired (a subclass) or dated in the future
        return None
    if not isinstance(claims, dict) or claims.get("o") != output_id or claims.get("k") != kind:
        return None
    output = Output.objects.select_related("job", "review").filter(pk=output_id).first()
    if output is None or not getattr(output, kind):
        return None
    if kind not in PRIVATE_KINDS and is_publicly_visible(output=output):
        return output
    user = _viewer(request)
    if not isinstance(user, User) or not user.is_active or user.pk != claims.get("u"):
        return None
    if output.job.artist_id == user.pk:
        return output
    if has_staff_flag(user) and is_reviewer(user):
        _audit_staff_access(user, output, kind)
        return output
    return None


def download_authorise(*, request: HttpRequest, output_id: int) -> Output | None:
    """The output if this request may download it now; None otherwise (answer 404, as for
    anything the door refuses). Only its artist, with a link issued to them, while
    ``download_refusal`` finds nothing against it; the first request with each link is
    audited."""

    token = request.GET.get("t", "")
    try:
        claims = _MediaSigner(salt=SALT).unsign_object(
            token, max_age=settings.MEDIA_URL_TTL_SECONDS
        )
    except signing.BadSignature:
        return None
    if not isinstance(claims, dict) or claims.get("o") != output_id or claims.get("k") != DOWNLOAD:
        return None
    user = _viewer(request)
    if not isinstance(user, User) or user.pk != claims.get("u"):
        return None
    output = Output.objects.select_related("job__cohort", "review").filter(pk=output_id).first()
    if output is None or download_refusal(job=output.job, viewer=user) is not None:
        return None
    if request.method == "GET":
        _audit_download(user, output, token)
    return output


def _audit_download(user: User, output: Output, token: str) -> None:
    # A download may come in many range requests with the same link: one event per link.
    # The link dies after MEDIA_URL_TTL_SECONDS, so remembering it that long is enough.
    key = "media-download:" + hashlib.sha256(token.encode()).hexdigest()
    if cache.add(key, 1, timeout=settings.MEDIA_URL_TTL_SECONDS + CLOCK_SKEW_SECONDS + 1):
        audit_record(
            actor=user, action="output.download", target=output,
            data={
                "job": output.job_id, "sha256": output.sha256, "size_bytes": output.size_bytes,
                "policy": output.job.cohort.download_policy,
            },
        )  # fmt: skip


def download_response(*, request: HttpRequest, output: Output) -> HttpResponseBase:
    """The stored MP4, byte for byte, as an attachment named after the job."""

    disposition = f'attachment; filename="{download_filename(job=output.job)}"'
    return media_response(
        request=request, file=output.video, content_type=KINDS["video"], disposition=disposition
    )


def screenshot_authorise(*, request: HttpRequest, attachment_id: int) -> Attachment | None:
    """The screenshot if this request may fetch it now: its reporter, or staff who review
    (audited); never anyone else, whoever can read the report itself."""

    try:
        claims = _MediaSigner(salt=SALT).unsign_object(
            request.GET.get("t", ""), max_age=settings.MEDIA_URL_TTL_SECONDS
        )
    except signing.BadSignature:
        return None
    if not isinstance(claims, dict) or claims.get("a") != attachment_id:
        return None
    user = _viewer(request)
    if not isinstance(user, User) or not user.is_active or user.pk != claims.get("u"):
        return None
    attachment = Attachment.objects.select_related("item").filter(pk=attachment_id).first()
    if attachment is None:
        return None
    if attachment.item.reporter_id == user.pk:
        return attachment
    if has_staff_flag(user) and is_reviewer(user):
        key = f"media-audit:{user.pk}:screenshot:{attachment.pk}"
        if cache.add(key, 1, timeout=600):
            audit_record(actor=user, action="media.staff_access", target=attachment)
        return attachment
    return None


def input_image_authorise(*, request: HttpRequest, image_id: int) -> InputImage | None:
    """The input image if this request may fetch it now: its owner (the artist), or staff
    who review, once a job took it as an input (they see it beside the output; audited);
    never anyone else, and never through a publication: inputs are not published."""
    try:
        claims = _MediaSigner(salt=SALT).unsign_object(
            request.GET.get("t", ""), max_age=settings.MEDIA_URL_TTL_SECONDS
        )
    except signing.BadSignature:
        return None
    if not isinstance(claims, dict) or claims.get("i") != image_id:
        return None
    user = _viewer(request)
    if not isinstance(user, User) or not user.is_active or user.pk != claims.get("u"):
        return None
    image = InputImage.objects.filter(pk=image_id).first()
    if image is None:
        return None
    if image.owner_id == user.pk:
        return image
    # Staff who review see an image once a job took it as an input (start, end or a
    # storyboard shot's start): reviewers see inputs beside the output.
    if has_staff_flag(user) and is_reviewer(user) and _is_a_job_input(image):
        key = f"media-audit:{user.pk}:input:{image.pk}"
        if cache.add(key, 1, timeout=600):
            audit_record(actor=user, action="media.staff_access", target=image)
        return image
    return None


def _is_a_job_input(image: InputImage) -> bool:
    return image.jobs_started.exists() or image.jobs_ended.exists() or image.shots_started.exists()


def _viewer(request: HttpRequest) -> object:
    """Who is asking: the signed-in person, or the holder of the API token sent with the
    request (an API client downloads what the API showed it, with the same token). A
    token that doesn't authenticate is nobody."""
    if not request.headers.get("Authorization", "").lower().startswith("bearer "):
        return request.user
    from rest_framework.exceptions import APIException

    try:
        found = ApiTokenAuthentication().authenticate(request)  # type: ignore[arg-type]
    except APIException:
        return None
    if found is None:
        return None
    user, token = found
    # Every scope reads, but only a scope that fits its holder's role reaches anything.

    return user if token.scope in token_scopes_for(user) else None


def _audit_staff_access(user: User, output: Output, kind: str) -> None:
    # A player fetches a file in many range requests; one audit event per viewing is enough.
    key = f"media-audit:{user.pk}:{output.pk}:{kind}"
    if cache.add(key, 1, timeout=600):
        audit_record(actor=user, action="media.staff_access", target=output, data={"kind": kind})


def media_response(
    *, request: HttpRequest, file: FieldFile, content_type: str, disposition: str = ""
) -> HttpResponseBase:
    """Send the file: from an S3 bucket by a redirect to a presigned URL that lives
    seconds; through nginx (X-Accel-Redirect) from a local folder in production; else
    ourselves, honouring a single byte range so players can seek. ``disposition``: a
    Content-Disposition to send with it (the bucket's is part of the presigned URL)."""
    response: HttpResponseBase
    if getattr(file.storage, "PRESIGNED_REDIRECT", False):
        extra = {"parameters": {"ResponseContentDisposition": disposition}} if disposition else {}
        response = HttpResponseRedirect(file.storage.url(file.name, **extra))
    elif settings.MEDIA_ACCEL_REDIRECT_PREFIX:
        response = HttpResponse(content_type=content_type)
        response["X-Accel-Redirect"] = settings.MEDIA_ACCEL_REDIRECT_PREFIX + quote(file.name or "")
    else:
        response = _stream(request, file, content_type)
    if disposition and not isinstance(response, HttpResponseRedirect):
        response["Content-Disposition"] = disposition
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    response["Referrer-Policy"] = "no-referrer"
    return response


def _stream(request: HttpRequest, file: FieldFile, content_type: str) -> HttpResponseBase:
    size = file.size
    header = request.headers.get("Range", "")
    match = _RANGE.match(header.strip()) if header else None
    if not header or match is None:
        whole = FileResponse(file.open("rb"), content_type=content_type)
        whole["Accept-Ranges"] = "bytes"
        return whole
    first, last = match.groups()
    if first == "" and last == "":
        return _unsatisfiable(size)
    if first == "":  # the last N bytes
        start, end = max(0, size - _position(last)), size - 1
    else:
        start, end = _position(first), min(_position(last) if last else size - 1, size - 1)
    if start >= size or start > end:
        return _unsatisfiable(size)
    handle = file.open("rb")
    handle.seek(start)
    part = StreamingHttpResponse(
        _read(handle, end - start + 1), status=206, content_type=content_type
    )
    part["Content-Range"] = f"bytes {start}-{end}/{size}"
    part["Content-Length"] = str(end - start + 1)
    part["Accept-Ranges"] = "bytes"
    return part


def _position(digits: str) -> int:
    """A byte position from the Range header; an absurdly long number counts as 10**18,
    past the end of any file (RFC 9110: a first position past the end is unsatisfiable,
    a last position or suffix length past it means "to the end")."""
    significant = digits.lstrip("0") or "0"
    if len(significant) > _POSITION_DIGITS:
        return 10**_POSITION_DIGITS
    return int(significant)


def _read(handle: IO[bytes], remaining: int) -> Iterator[bytes]:
    try:
        while remaining > 0:
            chunk = handle.read(min(_CHUNK, remaining))
            if not chunk:
                return
            remaining -= len(chunk)
            yield chunk
    finally:
        handle.close()


def _unsatisfiable(size: int) -> HttpResponse:
    response = HttpResponse(status=416)
    response["Content-Range"] = f"bytes */{size}"
    return response
