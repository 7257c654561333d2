from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from accounts.permissions import staff_roles
from accounts.roles import Role


def navigation(request: HttpRequest) -> dict[str, Any]:
    """What the header shows: the signed-in person's role decides the staff links."""
    user = getattr(request, "user", None)
    role = user.role if user is not None and user.is_authenticated else None
    return {
        "nav_role": role,
        "nav_is_staff": role in staff_roles(),
        "nav_is_program_admin": role == Role.PROGRAM_ADMIN,
        "contact_email": settings.CONTACT_EMAIL,
        # Pages with a video refresh its signed links before they expire (media-refresh.js).
        "media_url_ttl_seconds": settings.MEDIA_URL_TTL_SECONDS,
    }
