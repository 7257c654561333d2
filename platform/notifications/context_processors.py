from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from accounts.models import User
from notifications.selectors import notification_unread_count


def unread_notifications(request: HttpRequest) -> dict[str, Any]:
    """``nav_unread_notifications``: the signed-in person's unread count for the header.
    Lazy: one indexed COUNT, only on pages that render it."""
    user = getattr(request, "user", None)
    if not isinstance(user, User):
        return {"nav_unread_notifications": 0}
    return {
        "nav_unread_notifications": SimpleLazyObject(lambda: notification_unread_count(user=user))
    }
