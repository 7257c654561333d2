"""Reads about feedback: who may see what."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils import timezone

from accounts.models import User
from feedback.models import FeedbackItem, FeedbackKind, Survey


def feedback_visible_to(*, user: User) -> QuerySet[FeedbackItem]:
    """Staff see everything. Artists see their own items, and others' bug reports and
    feature requests (to say "me too"); never another artist's safety finding or
    feedback on another artist's video."""
    queryset = FeedbackItem.objects.select_related("reporter", "duplicate_of")
    if user.is_staff:
        return queryset
    return queryset.filter(Q(reporter=user) | Q(kind__in=[FeedbackKind.BUG, FeedbackKind.FEATURE]))


def feedback_item_for(*, user: User, pk: int) -> FeedbackItem | None:
    return feedback_visible_to(user=user).filter(pk=pk).first()


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
