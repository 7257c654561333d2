"""Telling people things: in-portal notifications, and email when it matters."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from portal.models import Notification


def notify(
    *, user: User, message: str, link: str = "", email_subject: str | None = None
) -> Notification:
    """Add a notification; with ``email_subject``, also email it after the commit."""
    notification = Notification.objects.create(user=user, message=message[:300], link=link)
    if email_subject:
        body = message + (f"\n\n{settings.SITE_URL}{link}" if link else "")
        transaction.on_commit(
            lambda: send_mail(
                subject=email_subject,
                message=body,
                from_email=None,
                recipient_list=[user.email],
                fail_silently=True,
            )
        )
    return notification


def notifications_mark_read(*, user: User) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )
