"""Input images: upload (checked, re-encoded, stored privately), use, and expiry."""

from __future__ import annotations

import logging
import uuid
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.permissions import CREATE_GENERATIONS, require
from agreements.errors import AgreementRequired
from agreements.selectors import agreement_status
from domain.errors import NotAllowed
from uploads.errors import UploadsPaused
from uploads.images import FIELD, CleanImage, input_image_clean
from uploads.models import InputImage, private_storage

log = logging.getLogger(__name__)


def _check_may_upload(owner: User) -> None:
    """Who may generate may upload: an artist in a cohort, agreement accepted, account
    not paused. Cohort and global pauses stop jobs, not preparing their inputs."""
    require(
        actor=owner,
        perm=CREATE_GENERATIONS,
        missing="refuse",
        message=_("Only artists in a cohort may upload images."),
    )
    if agreement_status(user=owner).required:
        raise AgreementRequired(_("Accept the current agreement before uploading."))
    if owner.is_paused:
        raise UploadsPaused(_("Your account is paused."))
    if owner.cohort_id is None:
        raise NotAllowed(_("Your account is not in a cohort."))


def input_image_upload(*, owner: User, upload: UploadedFile | None) -> InputImage:
    """Store ``upload`` as ``owner``'s input image, re-encoded under a name of our own.
    Refusals happen before anything is written, who first (NotAllowed, AgreementRequired,
    UploadsPaused), then what (a ValidationError on ``image``; None: ``required``): a
    refused upload leaves no row and no file."""
    _check_may_upload(owner)
    if upload is None:
        raise ValidationError({FIELD: ValidationError(_("No image was sent."), code="required")})
    return input_image_store(owner=owner, clean=input_image_clean(upload))


def input_image_store(*, owner: User, clean: CleanImage) -> InputImage:
    """Store an image already checked and re-encoded (``uploads.images.input_image_clean``)
    as ``owner``'s, under a name of our own: the file, then its row (no file without its
    row). Callers check who may upload first (``input_image_upload``, or ``jobs.services``
    for a start image sent with a submission, after its own checks)."""
    storage = private_storage()
    name = storage.save(
        f"inputs/{timezone.now():%Y/%m}/{uuid.uuid4().hex}.{clean.extension}",
        ContentFile(clean.data),
    )
    try:
        with transaction.atomic():
            return InputImage.objects.create(
                owner=owner,
                file=name,
                content_type=clean.content_type,
                width=clean.width,
                height=clean.height,
                size_bytes=len(clean.data),
                sha256=clean.sha256,
            )
    except BaseException:
        storage.delete(name)  # no file without its row
        raise


def input_image_discard(*, image: InputImage) -> bool:
    """Delete ``image``, row and file, unless a job uses it: a start image sent with a
    submission that was then refused leaves nothing behind. Returns whether it went."""
    name = image.file.name
    deleted, _ = InputImage.objects.filter(pk=image.pk, used_at__isnull=True).delete()
    if deleted and name:
        try:
            private_storage().delete(name)
        except Exception:  # the row is gone; a stray file is only disk
            log.exception("could not delete discarded input image %s", name)
    return bool(deleted)


def input_image_use(*, owner: User, image_id: int) -> InputImage | None:
    """``owner``'s image ``image_id``, locked and marked used (kept from now on), for a
    job that takes it as an input; call inside the job's transaction. None when it is
    not ``owner``'s (or gone): the caller answers with a field error."""
    image = InputImage.objects.select_for_update().filter(pk=image_id, owner=owner).first()
    if image is not None and image.used_at is None:
        image.used_at = timezone.now()
        image.save(update_fields=["used_at"])
    return image


def input_images_expire(*, now: datetime | None = None, batch: int = 500) -> int:
    """Delete uploads no job used within ``UPLOAD_UNUSED_HOURS``, rows first, then their
    files once that commits. Rows a submission holds locked are skipped (their turn comes
    at the next pass). Returns how many went."""
    cutoff = (now or timezone.now()) - timedelta(hours=settings.UPLOAD_UNUSED_HOURS)
    with transaction.atomic():
        expired = list(
            InputImage.objects.select_for_update(skip_locked=True)
            .filter(used_at__isnull=True, created_at__lt=cutoff)
            .order_by("created_at")[:batch]
        )
        if not expired:
            return 0
        names = [image.file.name for image in expired if image.file.name]
        InputImage.objects.filter(pk__in=[image.pk for image in expired]).delete()
        transaction.on_commit(lambda: _delete_files(names))
    return len(expired)


def _delete_files(names: list[str]) -> None:
    storage = private_storage()
    for name in names:
        try:
            storage.delete(name)
        except Exception:  # a file left behind is harmless; the row is gone
            log.exception("could not delete expired input image %s", name)
