"""Reads about announcements: the program admins' view (every one, who has read it) and
the artist's (their cohort's published ones, and which they have read)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Exists, F, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404

from accounts.models import User
from announcements.models import Announcement, AnnouncementRead, AnnouncementStatus


def announcement_members(*, cohort_id: int) -> QuerySet[User]:
    """Who an announcement to cohort ``cohort_id`` is for: its active members (a
    suspended account is neither emailed nor counted), by name then email."""
    return User.objects.filter(cohort_id=cohort_id, is_active=True).order_by("full_name", "email")


def announcements_for_staff() -> QuerySet[Announcement]:
    """Every announcement, newest first, with ``members`` (its cohort's active members
    now) and ``read_count`` (how many of them have read it), counted in the one query."""
    members = (
        User.objects.filter(cohort_id=OuterRef("cohort_id"), is_active=True)
        .order_by()
        .values("cohort_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return (
        Announcement.objects.select_related("cohort", "created_by")
        .annotate(
            members=Coalesce(Subquery(members, output_field=IntegerField()), 0),
            read_count=Count(
                "reads",
                filter=Q(reads__user__cohort_id=F("cohort_id"), reads__user__is_active=True),
            ),
        )
        .order_by("-created_at", "-id")
    )


@dataclass(frozen=True)
class Reader:
    user: User
    read_at: datetime | None


def announcement_readers(*, announcement: Announcement) -> tuple[list[Reader], list[Reader]]:
    """The cohort's active members who have read ``announcement`` (first reader first)
    and those who have not (by name)."""
    read_at = AnnouncementRead.objects.filter(
        announcement=announcement, user=OuterRef("pk")
    ).values("read_at")[:1]
    members = announcement_members(cohort_id=announcement.cohort_id).annotate(
        read_at=Subquery(read_at)
    )
    readers = [Reader(user=m, read_at=m.read_at) for m in members]
    read = [r for r in readers if r.read_at is not None]
    read.sort(key=lambda r: (r.read_at, r.user.pk))
    unread = [r for r in readers if r.read_at is None]
    return read, unread


def announcements_of(*, user: User) -> QuerySet[Announcement]:
    """The published announcements to ``user``'s cohort, newest first, each with
    ``is_read`` for ``user``. None for someone outside every cohort."""
    if user.cohort_id is None:
        return Announcement.objects.none()
    return (
        Announcement.objects.filter(cohort_id=user.cohort_id, status=AnnouncementStatus.PUBLISHED)
        .annotate(
            is_read=Exists(AnnouncementRead.objects.filter(announcement=OuterRef("pk"), user=user))
        )
        .order_by("-published_at", "-id")
    )


def announcement_of(*, user: User, announcement_id: int) -> Announcement:
    """A published announcement to ``user``'s cohort; anything else (another cohort's, a
    draft, none) is a 404, the same answer as one that doesn't exist."""
    found = announcements_of(user=user).filter(pk=announcement_id).first()
    if found is None:
        raise Http404("No such announcement.")
    return found


def announcement_unread_count(*, user: User) -> int:
    """How many of ``user``'s cohort's published announcements ``user`` has not read
    (the header's badge)."""
    if user.cohort_id is None:
        return 0
    return (
        Announcement.objects.filter(cohort_id=user.cohort_id, status=AnnouncementStatus.PUBLISHED)
        .exclude(Exists(AnnouncementRead.objects.filter(announcement=OuterRef("pk"), user=user)))
        .count()
    )
