"""Reads about feedback: who may see what."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone

from accounts.models import User
from accounts.permissions import has_staff_flag
from feedback.models import FeedbackItem, FeedbackKind, Survey


def feedback_visible_to(*, user: User) -> QuerySet[FeedbackItem]:
    """Staff see everything. Artists see their own items, and others' bug reports and
    feature requests (to say "me too") filed from their own cohort, or from any cohort
    where ``FEEDBACK_SHARED_ACROSS_COHORTS`` is on; never another artist's safety finding
    or feedback on another artist's video. Private staff replies on what they see are
    hidden from them: ``feedback_reply_shown_to``."""
    queryset = FeedbackItem.objects.select_related("reporter", "duplicate_of")
    if has_staff_flag(user):
        return queryset
    shared = Q(kind__in=[FeedbackKind.BUG, FeedbackKind.FEATURE])
    if not settings.FEEDBACK_SHARED_ACROSS_COHORTS:
        if user.cohort_id is None:  # in no cohort: shares one with nobody
            return queryset.filter(reporter=user)
        shared &= Q(cohort_id=user.cohort_id)
    return queryset.filter(Q(reporter=user) | shared)


def feedback_item_for(*, user: User, pk: int) -> FeedbackItem | None:
    return feedback_visible_to(user=user).filter(pk=pk).first()


def feedback_reply_shown_to(*, user: User | None, item: FeedbackItem, public: bool) -> bool:
    """Whether ``user``, who may see ``item``, may read a staff reply on it: a public one,
    yes; a private one only as its reporter or staff (nobody, for no ``user``). Pages and
    the API ask here; only the reporter is notified of a reply."""
    if public:
        return True
    return user is not None and (has_staff_flag(user) or item.reporter_id == user.pk)


@dataclass(frozen=True)
class FeedbackHistoryEntry:
    status: str
    status_label: str
    changed_at: datetime
    reply: str  # "" where the reply is private to someone else
    reply_public: bool


def feedback_reply_for(*, user: User | None, item: FeedbackItem) -> str:
    """The latest staff reply on ``item`` as ``user`` may read it ("" if private)."""
    shown = feedback_reply_shown_to(user=user, item=item, public=item.staff_reply_public)
    return item.staff_reply if shown else ""


def feedback_history_for(*, user: User | None, item: FeedbackItem) -> list[FeedbackHistoryEntry]:
    """Every status ``item`` went through, with the replies ``user`` may read."""
    return [
        FeedbackHistoryEntry(
            status=change.status,
            status_label=change.get_status_display(),
            changed_at=change.changed_at,
            reply=change.reply
            if feedback_reply_shown_to(user=user, item=item, public=change.reply_public)
            else "",
            reply_public=change.reply_public,
        )
        for change in item.changes.all()
    ]


def feedback_of(*, user: User) -> QuerySet[FeedbackItem]:
    return FeedbackItem.objects.filter(reporter=user).prefetch_related("changes")


def triage_board(*, status: str | None = None, kind: str | None = None) -> QuerySet[FeedbackItem]:
    queryset = FeedbackItem.objects.select_related("reporter")
    if status:
        queryset = queryset.filter(status=status)
    if kind:
        queryset = queryset.filter(kind=kind)
    return queryset.order_by("created_at", "id")


def surveys_open_for(*, artist: User) -> QuerySet[Survey]:
    if artist.cohort_id is None:
        return Survey.objects.none()
    return Survey.objects.filter(cohort_id=artist.cohort_id, sent_at__isnull=False).filter(
        Q(closes_at__isnull=True) | Q(closes_at__gt=timezone.now())
    )
