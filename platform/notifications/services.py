"""Telling an artist about their videos: in the portal always, by email if they chose it.

The notification row is written in the same transaction as the change it reports (the
worker's success, a review decision), so an attempt that fails, is cancelled or has lost
its lease — whose transaction rolls back or never runs — tells nobody. The email goes out
after that commit; a failed email is logged and not retried (decision 0028): the portal
notification is the record, and no queue here has a consumer besides the GPU workers.
"""

from __future__ import annotations

import logging
from functools import partial
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from accounts.language import language_for
from accounts.models import User
from notifications.models import Notification, NotificationKind, NotificationPreference
from notifications.selectors import notification_of, notification_preferences_of

if TYPE_CHECKING:
    from jobs.models import Job

log = logging.getLogger(__name__)


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


def video_ready_notify(*, job: Job) -> Notification:
    """Tell ``job``'s artist their video can be watched: a portal notification linking to
    the job page, and an email if they opted in. Call it inside the transaction that marks
    the job succeeded. Once per job: a second call (a redelivered task, a retried
    attempt) returns the first notification and sends nothing."""
    # A twin (a second call) is caught by the unique constraint in the savepoint below, so
    # the usual first call asks nothing before it writes but the artist as they are now
    # (not as claimed with the job: their language or address may have changed since).
    artist = User.objects.get(pk=job.artist_id)
    with translation.override(language_for(artist)):
        message = gettext("Your video #%(job)s is ready to watch.") % {"job": job.pk}
        subject = "[Vernissage] " + gettext("Your video is ready")
    try:
        with transaction.atomic():  # a savepoint: losing a race to a twin is not an error
            notification = Notification.objects.create(
                user=artist,
                kind=NotificationKind.VIDEO_READY,
                job=job,
                message=message,
                link=reverse("jobs:detail", kwargs={"pk": job.pk}),
            )
    except IntegrityError:
        return Notification.objects.get(job=job, kind=NotificationKind.VIDEO_READY)
    if notification_preferences_of(user=artist).email_on_video_ready:
        _email_after_commit(notification, subject=subject)
    return notification


def review_decision_notify(
    *, artist: User, job_id: int, message: str, email_subject: str
) -> Notification:
    """Tell ``artist`` what review decided about their video ``job_id`` (approved,
    rejected, approval withdrawn): a portal notification, and an email unless they turned
    those off. Every decision is its own notification."""
    notification = Notification.objects.create(
        user=artist,
        kind=NotificationKind.REVIEW_DECISION,
        job_id=job_id,
        message=message[:300],
        link=reverse("jobs:detail", kwargs={"pk": job_id}),
    )
    if notification_preferences_of(user=artist).email_on_review_decision:
        _email_after_commit(notification, subject=email_subject)
    return notification


def _email_after_commit(notification: Notification, *, subject: str) -> None:
    # robust: an exception escaping here would surface from the worker's atomic block
    # *after* its commit (notification_email_send catches everything anyway).
    transaction.on_commit(
        partial(notification_email_send, notification_id=notification.pk, subject=subject),
        robust=True,
    )


def notification_email_send(*, notification_id: int, subject: str) -> bool:
    """Email one notification to its recipient, in their language, with an absolute link
    (``SITE_URL``, never a request's host). Never raises: a mail server that refuses or
    times out (``EMAIL_TIMEOUT``) is logged, and whatever was being done carries on.
    Returns whether the mail server took it."""
    notification = Notification.objects.select_related("user").filter(pk=notification_id).first()
    if notification is None:
        return False
    user = notification.user
    try:
        with translation.override(language_for(user)):
            body = render_to_string(
                f"notifications/email/{notification.kind}.txt",
                {
                    "notification": notification,
                    "link": f"{settings.SITE_URL}{notification.link}",
                    "preferences_link": settings.SITE_URL + reverse("notifications:preferences"),
                },
            )
        send_mail(subject=subject, message=body, from_email=None, recipient_list=[user.email])
    except Exception:
        log.exception("notification %s: the email to user %s failed", notification_id, user.pk)
        return False
    return True


def notification_mark_read(*, user: User, notification_id: int) -> Notification:
    """Mark ``user``'s notification read (someone else's: 404). Marking it again keeps
    the first time it was read."""
    notification = notification_of(user=user, notification_id=notification_id)
    if notification.read_at is None:
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(
            read_at=timezone.now()
        )
        notification.refresh_from_db(fields=["read_at"])
    return notification


def notifications_mark_read(*, user: User) -> int:
    """Mark all of ``user``'s unread notifications read; returns how many."""
    return Notification.objects.filter(user=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )


def notification_preferences_set(
    *, user: User, email_on_video_ready: object, email_on_review_decision: object
) -> NotificationPreference:
    """Store ``user``'s email choices. Each must be a bool: anything else is a
    ValidationError on that field, and nothing is stored."""
    values = {
        "email_on_video_ready": email_on_video_ready,
        "email_on_review_decision": email_on_review_decision,
    }
    errors = {
        field: ValidationError(gettext("Must be true or false."), code="invalid")
        for field, value in values.items()
        if not isinstance(value, bool)
    }
    if errors:
        raise ValidationError(errors)
    preference, _ = NotificationPreference.objects.update_or_create(user=user, defaults=values)
    return preference
