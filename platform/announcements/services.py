"""Writes about announcements: a program admin drafts one for a cohort, edits the draft,
publishes it once (every active member then sees it in the portal and gets an email), and
an artist's view of it marks it read.

Publishing is one transaction (the status, its time, the audit event); the emails go out
after the commit from the process that published, in each member's language, and are
not retried (decision 0028, as for notifications): the portal copy is the record.
"""

from __future__ import annotations

import logging
from functools import partial

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from accounts.language import language_for
from accounts.models import User
from accounts.permissions import RUN_PROGRAM, require
from announcements.models import (
    BODY_MAX_LENGTH,
    TITLE_MAX_LENGTH,
    Announcement,
    AnnouncementRead,
    AnnouncementStatus,
)
from announcements.selectors import announcement_members
from audit.services import audit_record
from cohorts.models import Cohort
from domain.errors import InvalidTransition
from domain.text import clean_text

log = logging.getLogger(__name__)

_ONLY_ADMINS = "Only program admins may write announcements."


def _clean(*, title: object, body: object) -> dict[str, str]:
    """Both fields checked, each error on its own field."""
    cleaned: dict[str, str] = {}
    errors: dict[str, list[ValidationError]] = {}
    for name, value, limit, multiline in (
        ("title", title, TITLE_MAX_LENGTH, False),
        ("body", body, BODY_MAX_LENGTH, True),
    ):
        try:
            cleaned[name] = clean_text(
                value, field=name, max_length=limit, multiline=multiline, required=True
            )
        except ValidationError as error:
            errors.update(error.error_dict)
    if errors:
        raise ValidationError(errors)
    return cleaned


@transaction.atomic
def announcement_create(
    *, actor: User | None, cohort: Cohort | None, title: object, body: object
) -> Announcement:
    """A draft announcement to ``cohort``. Raises ValidationError per field (``cohort``
    missing, ``title`` and ``body`` empty or too long). Audited."""
    require(actor=actor, perm=RUN_PROGRAM, missing="system", message=_ONLY_ADMINS)
    errors: dict[str, list[ValidationError]] = {}
    cleaned: dict[str, str] = {}
    if cohort is None:
        errors["cohort"] = [ValidationError("Choose the cohort it is for.", code="required")]
    try:
        cleaned = _clean(title=title, body=body)
    except ValidationError as error:
        errors.update(error.error_dict)
    if errors:
        raise ValidationError(errors)
    assert cohort is not None
    announcement = Announcement.objects.create(cohort=cohort, created_by=actor, **cleaned)
    audit_record(
        actor=actor, action="announcement.create", target=announcement,
        data={"cohort": cohort.pk, "title": announcement.title},
    )  # fmt: skip
    return announcement


@transaction.atomic
def announcement_update(
    *, actor: User | None, announcement: Announcement, title: object, body: object
) -> Announcement:
    """Change a draft's title and body. A published announcement is refused
    (InvalidTransition): what its readers saw stays what it says. Audited."""
    require(actor=actor, perm=RUN_PROGRAM, missing="system", message=_ONLY_ADMINS)
    locked = Announcement.objects.select_for_update().get(pk=announcement.pk)
    if locked.status != AnnouncementStatus.DRAFT:
        raise InvalidTransition(
            "A published announcement can't be changed; publish a correction as a new one.",
            code="announcement_published",
        )
    cleaned = _clean(title=title, body=body)
    previous = {"title": locked.title, "body": locked.body}
    Announcement.objects.filter(pk=locked.pk).update(**cleaned)
    locked.refresh_from_db()
    audit_record(
        actor=actor, action="announcement.update", target=locked,
        data={"from": previous, "to": cleaned},
    )  # fmt: skip
    return locked


@transaction.atomic
def announcement_publish(*, actor: User | None, announcement: Announcement) -> Announcement:
    """Publish a draft: from now on its cohort's members see it in the portal, and each
    active member is emailed after the commit. Publishing twice is refused
    (InvalidTransition): nobody gets it twice. Audited with how many it went to."""
    require(actor=actor, perm=RUN_PROGRAM, missing="system", message=_ONLY_ADMINS)
    locked = Announcement.objects.select_for_update().get(pk=announcement.pk)
    if locked.status != AnnouncementStatus.DRAFT:
        raise InvalidTransition(
            "This announcement is already published.", code="announcement_published"
        )
    locked.status = AnnouncementStatus.PUBLISHED
    locked.published_at = timezone.now()
    locked.save(update_fields=["status", "published_at"])
    recipients = list(announcement_members(cohort_id=locked.cohort_id).values_list("pk", flat=True))
    audit_record(
        actor=actor, action="announcement.publish", target=locked,
        data={"cohort": locked.cohort_id, "recipients": len(recipients)},
    )  # fmt: skip
    transaction.on_commit(
        partial(announcement_email_send, announcement_id=locked.pk, user_ids=recipients),
        robust=True,
    )
    return locked


def announcement_email_send(*, announcement_id: int, user_ids: list[int]) -> int:
    """Email a published announcement to each of ``user_ids``, each in their language,
    over one connection, with an absolute link (``SITE_URL``). Never raises: a refused
    or failed email is logged and the others still go. Stores and returns how many the
    mail server took (``emailed_count``)."""
    announcement = Announcement.objects.select_related("cohort").filter(pk=announcement_id).first()
    if announcement is None:
        return 0
    link = settings.SITE_URL + reverse("announcements:detail", args=[announcement.pk])
    written: dict[str, tuple[str, str]] = {}  # language -> (subject, body): once each
    sent = 0
    try:
        connection = get_connection()
        connection.open()
    except Exception:
        log.exception("announcement %s: no connection to the mail server", announcement_id)
        return 0
    try:
        for user in User.objects.filter(pk__in=user_ids).order_by("pk"):
            try:
                language = language_for(user)
                if language not in written:
                    written[language] = _email_text(announcement, link=link, language=language)
                subject, body = written[language]
                EmailMessage(
                    subject=subject, body=body, to=[user.email], connection=connection
                ).send()
            except Exception:
                log.exception(
                    "announcement %s: the email to user %s failed", announcement_id, user.pk
                )
            else:
                sent += 1
    finally:
        connection.close()
    Announcement.objects.filter(pk=announcement_id).update(emailed_count=sent)
    return sent


def _email_text(announcement: Announcement, *, link: str, language: str) -> tuple[str, str]:
    """The announcement's email in ``language``: subject and text/plain body."""
    with translation.override(language):
        subject = "[Vernissage] " + gettext("Announcement: %(title)s") % {
            "title": announcement.title
        }
        body = render_to_string(
            "announcements/email/announcement.txt", {"announcement": announcement, "link": link}
        )
    return subject, body


def announcement_mark_read(*, user: User, announcement: Announcement) -> None:
    """``user`` has seen ``announcement`` (the caller checked they may: see
    ``selectors.announcement_of``). Idempotent: the first time read is kept, and two
    views at once store one row."""
    AnnouncementRead.objects.bulk_create(
        [AnnouncementRead(announcement=announcement, user=user, read_at=timezone.now())],
        ignore_conflicts=True,
    )
