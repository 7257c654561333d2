"""Reading notifications: only ever the signed-in person's own."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from accounts.models import User
from notifications.models import Notification, NotificationPreference


def notifications_of(*, user: User) -> QuerySet[Notification]:
    """``user``'s notifications, newest first. Nobody else's, whoever asks."""
    return Notification.objects.filter(user=user).order_by("-created_at", "-id")


def notification_unread_count(*, user: User) -> int:
    """One indexed COUNT (``user``, ``read_at``): the number in the header."""
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def notification_of(*, user: User, notification_id: int) -> Notification:
    """``user``'s notification ``notification_id``; someone else's is a 404, the same
    answer as one that doesn't exist."""
    found = Notification.objects.filter(user=user, pk=notification_id).first()
    if found is None:
        raise Http404("No such notification.")
    return found


def notification_preferences_of(*, user: User) -> NotificationPreference:
    """``user``'s choices; the defaults (unsaved) if they never chose. Reading writes
    nothing."""
    found = NotificationPreference.objects.filter(user=user).first()
    return found if found is not None else NotificationPreference(user=user)
