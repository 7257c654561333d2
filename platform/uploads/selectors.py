from __future__ import annotations

from django.db.models import QuerySet

from accounts.models import User
from uploads.models import InputImage


def input_image_for(*, user: User, image_id: int) -> InputImage | None:
    """``image_id`` if ``user`` owns it; None for anyone else's or an unknown id (the
    same answer, so ids reveal nothing). Staff too: an upload is private until a job uses it."""
    return InputImage.objects.filter(pk=image_id, owner=user).first()


def input_images_of(*, owner: User) -> QuerySet[InputImage]:
    """``owner``'s uploads, newest first."""
    return InputImage.objects.filter(owner=owner).order_by("-created_at", "-pk")
