"""Reads about the review queue."""

from __future__ import annotations

import base64
import statistics
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext

from accounts.models import User
from accounts.roles import Role
from cohorts.models import Cohort
from domain.text import clean_text
from moderation.models import (
    OPEN_STATUSES,
    ReviewDecision,
    ReviewItem,
    ReviewStage,
    ReviewStatus,
    StaffNote,
)
from moderation.reasons import reason_label

QUEUE_PAGE_SIZE = 50
# The queue's artist filter: at most this much text, matching at most this many accounts.
ARTIST_FILTER_MAX_LENGTH = 200
ARTIST_FILTER_MAX_MATCHES = 1000


def encode_cursor(item: ReviewItem) -> str:
    raw = f"{item.due_at.isoformat()}|{item.pk}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, int] | None:
    """The (due_at, id) after which the next page starts; None for a malformed cursor."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        due, pk = raw.split("|")
        moment = parse_datetime(due)
        return (moment, int(pk)) if moment is not None else None
    except (ValueError, UnicodeDecodeError):
        return None


def encode_risk_cursor(item: ReviewItem) -> str:
    """The "highest risk first" order's cursor: (risk score, output id), prefixed "r"."""
    raw = f"r|{item.output.screening.risk_score}|{item.output_id}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_risk_cursor(cursor: str) -> tuple[int, int] | None:
    """The (risk score, output id) after which the next page starts; None when malformed."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        prefix, risk, pk = raw.split("|")
        return (int(risk), int(pk)) if prefix == "r" else None
    except (ValueError, UnicodeDecodeError):
        return None


# The queue's pre-screening filter (issue 18): every item, flagged ones, not screened ones.
SCREEN_FILTERS = ("", "flagged", "not_screened")
QUEUE_SORTS = ("due", "risk")


@dataclass(frozen=True)
class QueuePage:
    items: list[ReviewItem]
    next_cursor: str | None


def review_queue(
    *,
    cohort_id: int | None = None,
    artist_id: int | None = None,
    artist_ids: list[int] | None = None,
    overdue: bool = False,
    appeals: bool = False,
    after: tuple[datetime, int] | None = None,
    limit: int = QUEUE_PAGE_SIZE,
    screen: str = "",
    sort: str = "due",
    after_risk: tuple[int, int] | None = None,
) -> QueuePage:
    """Open items by due time. Keyset pagination on (due_at, id): no OFFSET, no COUNT,
    served by the partial indexes on open items whatever the depth. ``artist_ids`` (from
    ``queue_artist_ids``) keeps the items of those artists only; an empty list, none.

    Pre-screening (issue 18): ``screen`` "flagged" or "not_screened" keeps those items;
    ``sort`` "risk" orders by risk score, highest first, then output id (keyset
    ``after_risk``, served by the screening's risk index), leaving out items made before
    pre-screening existed (they have no screening)."""
    if artist_ids is not None and not artist_ids:
        return QueuePage(items=[], next_cursor=None)
    queryset = ReviewItem.objects.filter(status__in=OPEN_STATUSES)
    if cohort_id is not None:
        queryset = queryset.filter(cohort_id=cohort_id)
    if artist_id is not None:
        queryset = queryset.filter(artist_id=artist_id)
    if artist_ids is not None:
        queryset = queryset.filter(artist_id__in=artist_ids)
    if overdue:
        queryset = queryset.filter(due_at__lt=timezone.now())
    if appeals:
        queryset = queryset.filter(stage=ReviewStage.APPEAL)
    # The item's own copies of its screening, each served by a partial index.
    if screen == "flagged":
        queryset = queryset.filter(flagged=True)
    elif screen == "not_screened":
        queryset = queryset.filter(not_screened=True)
    if sort == "risk":
        return _by_risk(queryset, after_risk=after_risk, limit=limit)
    if after is not None:
        due, pk = after
        # "(due_at, id) > (due, pk)", spelt so PostgreSQL can start an index range scan at
        # due_at >= due (a bare OR makes it walk the index from the beginning).
        queryset = queryset.filter(due_at__gte=due).filter(Q(due_at__gt=due) | Q(pk__gt=pk))
    rows = list(
        queryset.select_related(
            "artist", "cohort", "claimed_by", "output__job", "output__screening"
        ).order_by("due_at", "id")[: limit + 1]
    )
    has_more = len(rows) > limit
    items = rows[:limit]
    return QueuePage(
        items=items, next_cursor=encode_cursor(items[-1]) if has_more and items else None
    )


def _by_risk(
    queryset: QuerySet[ReviewItem], *, after_risk: tuple[int, int] | None, limit: int
) -> QueuePage:
    queryset = queryset.filter(output__screening__isnull=False)
    if after_risk is not None:
        risk, output_id = after_risk
        # "(risk desc, output id) after (risk, output_id)", spelt as the due-time keyset is.
        queryset = queryset.filter(output__screening__risk_score__lte=risk).filter(
            Q(output__screening__risk_score__lt=risk) | Q(output_id__gt=output_id)
        )
    rows = list(
        queryset.select_related(
            "artist", "cohort", "claimed_by", "output__job", "output__screening"
        ).order_by("-output__screening__risk_score", "output_id")[: limit + 1]
    )
    has_more = len(rows) > limit
    items = rows[:limit]
    return QueuePage(
        items=items, next_cursor=encode_risk_cursor(items[-1]) if has_more and items else None
    )


def queue_artist_ids(*, text: str) -> list[int] | None:
    """The artists a queue filter names, by what a reviewer typed: None for nothing typed
    (no filter); a number is an account id (the queue's links before the text filter);
    else every account whose email, full name or public credit contains the text, in any
    case (an empty list when none does: an empty queue, not an error). ValidationError on
    ``artist``: over ARTIST_FILTER_MAX_LENGTH characters, control characters, or more than
    ARTIST_FILTER_MAX_MATCHES accounts matching.

    The ids are resolved here, in one query over the accounts, so the queue itself filters
    on ``artist_id IN (...)`` and keeps its partial index on (artist, due_at, id).
    """
    text = clean_text(text, field="artist", max_length=ARTIST_FILTER_MAX_LENGTH)
    if not text:
        return None
    if text.isascii() and text.isdigit() and len(text) <= 18:  # 18 digits: within bigint
        return [int(text)]
    named = Q(email__icontains=text) | Q(full_name__icontains=text)
    ids = list(
        User.objects.filter(named | Q(public_credit__icontains=text))
        .order_by("pk")
        .values_list("pk", flat=True)[: ARTIST_FILTER_MAX_MATCHES + 1]
    )
    if len(ids) > ARTIST_FILTER_MAX_MATCHES:
        raise ValidationError(
            {
                "artist": ValidationError(
                    gettext("More than %(count)s accounts match: type more of the email or name.")
                    % {"count": ARTIST_FILTER_MAX_MATCHES},
                    code="too_many_matches",
                )
            }
        )
    return ids


def review_item_for_staff(*, item_id: int) -> ReviewItem | None:
    return (
        ReviewItem.objects.select_related(
            "artist", "cohort", "claimed_by", "decided_by", "output__job", "output__screening"
        )
        .filter(pk=item_id)
        .first()
    )


def review_history_of_artist(
    *, artist_id: int, exclude_item_id: int | None = None, limit: int = 10
) -> list[ReviewItem]:
    """The artist's decided items (approved or rejected, as they stand now), the latest
    decision first, without ``exclude_item_id`` (the item being reviewed): the side panel
    beside an item."""
    decided = ReviewItem.objects.filter(
        artist_id=artist_id, status__in=[ReviewStatus.APPROVED, ReviewStatus.REJECTED]
    )
    if exclude_item_id is not None:
        decided = decided.exclude(pk=exclude_item_id)
    return list(decided.order_by("-decided_at", "-id")[:limit])


def staff_notes_of(*, item: ReviewItem) -> QuerySet[StaffNote]:
    """The item's private staff notes, newest first, with their authors. Staff only."""
    return (
        StaffNote.objects.filter(item=item).select_related("author").order_by("-created_at", "-id")
    )


def decider_label(decision: ReviewDecision) -> str:
    """What the artist is told about who decided: the role, or the name if configured."""
    if settings.REVIEW_SHOW_REVIEWER_NAME:
        return decision.reviewer.full_name or decision.reviewer.email
    if decision.reviewer_role == Role.PROGRAM_ADMIN:
        return gettext("a program admin")
    return gettext("a reviewer")


def review_for_artist(*, item: ReviewItem) -> dict[str, object]:
    """The review as its artist sees it (the API's ``review`` object)."""
    return {
        "status": item.status,
        "stage": item.stage,
        "due_at": item.due_at,
        "decided_at": item.decided_at,
        "reason_code": item.reason_code or None,
        "reason": reason_label(item.reason_code) if item.reason_code else None,
        "note": item.note or None,
        "appealable": item.appealable,
        "history": [
            {
                "outcome": decision.outcome,
                "stage": decision.stage,
                "decided_by": decider_label(decision),
                "reason_code": decision.reason_code or None,
                "reason": reason_label(decision.reason_code) if decision.reason_code else None,
                "note": decision.note or None,
                "at": decision.created_at,
            }
            for decision in item.decisions.select_related("reviewer").all()
        ],
    }


@dataclass(frozen=True)
class CohortSla:
    cohort: Cohort
    decided: int
    median_hours: float | None
    within_sla_share: float | None
    open_items: int
    overdue_items: int


def review_sla_report(*, days: int = 30) -> list[CohortSla]:
    """Per cohort over the last ``days``: first decisions, median hours from output to
    first decision, the share decided within the cohort's SLA, and what is open now."""
    since = timezone.now() - timedelta(days=days)
    now = timezone.now()
    report = []
    for cohort in Cohort.objects.order_by("name"):
        first_decisions = (
            ReviewDecision.objects.filter(
                item__cohort=cohort, stage=ReviewStage.REVIEW, created_at__gte=since
            )
            .exclude(outcome="revoked")
            .values_list("created_at", "item__created_at")[:20000]
        )
        hours = [(decided - created).total_seconds() / 3600 for decided, created in first_decisions]
        within = [h for h in hours if h <= cohort.review_sla_hours]
        open_items = ReviewItem.objects.filter(cohort=cohort, status__in=OPEN_STATUSES)
        report.append(
            CohortSla(
                cohort=cohort,
                decided=len(hours),
                median_hours=statistics.median(hours) if hours else None,
                within_sla_share=len(within) / len(hours) if hours else None,
                open_items=open_items.count(),
                overdue_items=open_items.filter(due_at__lt=now).count(),
            )
        )
    return report
