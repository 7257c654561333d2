"""Who is asking: the signed-in account of a page or API view."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils.translation import gettext as _
from rest_framework.request import Request

from accounts.models import User


def signed_in_user(request: HttpRequest | Request) -> User:
    """The signed-in user of a view that only runs for signed-in users."""
    user = request.user
    if not isinstance(user, User):
        raise PermissionDenied(_("Sign in first."))
    return user
