from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from accounts.models import User
from announcements.selectors import announcement_unread_count


def unread_announcements(request: HttpRequest) -> dict[str, Any]:
    """``nav_unread_announcements``: how many of the cohort's announcements the signed-in
    member has not read (the header's badge). Lazy: counted only on pages that show it,
    and never for someone outside every cohort."""
    user = getattr(request, "user", None)
    if not isinstance(user, User) or user.cohort_id is None:
        return {"nav_unread_announcements": 0}
    return {
        "nav_unread_announcements": SimpleLazyObject(lambda: announcement_unread_count(user=user))
    }
