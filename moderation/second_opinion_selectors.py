"""Reads about second opinions (decision 0036): the queues, one opinion, and each
reviewer's agreement and Cohen's kappa over a period (the SLA page)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from accounts.models import User
from accounts.permissions import RUN_PROGRAM
from moderation.kappa import cohen_kappa
from moderation.models import (
    SECOND_OPINION_GIVEN,
    SECOND_OPINION_OPEN,
    ReviewItem,
    ReviewStage,
    SecondOpinion,
    SecondOpinionStatus,
)

SECOND_OPINION_PAGE_SIZE = 50
# The agreement report reads at most this many opinions (years of them at 5 %).
AGREEMENT_MAX_ROWS = 100_000


def second_opinion_queue(
    *, reviewer: User, limit: int = SECOND_OPINION_PAGE_SIZE
) -> list[SecondOpinion]:
    """Open second opinions the reviewer may give, oldest first: never on their own
    approvals. Served by the partial index on open opinions."""
    return list(
        SecondOpinion.objects.filter(status__in=SECOND_OPINION_OPEN)
        .exclude(first_reviewer=reviewer)
        .exclude(item__artist=reviewer)
        .select_related("item__cohort", "item__output__job", "claimed_by")
        .order_by("created_at", "id")[:limit]
    )


def second_opinion_disagreements(*, limit: int = SECOND_OPINION_PAGE_SIZE) -> list[SecondOpinion]:
    """Disagreements waiting for a program admin, oldest first."""
    return list(
        SecondOpinion.objects.filter(status=SecondOpinionStatus.DISAGREED)
        .select_related("item__cohort", "first_decision", "first_reviewer", "second_reviewer")
        .order_by("decided_at", "id")[:limit]
    )


def second_opinion_for_staff(*, opinion_id: int) -> SecondOpinion | None:
    return (
        SecondOpinion.objects.select_related(
            "item__artist",
            "item__cohort",
            "item__output__job",
            "first_decision",
            "first_reviewer",
            "second_reviewer",
            "claimed_by",
            "settled_by",
        )
        .filter(pk=opinion_id)
        .first()
    )


def second_opinion_next(*, opinion: SecondOpinion, reviewer: User) -> SecondOpinion | None:
    """The open opinion after ``opinion`` the reviewer may give (the page's n key)."""
    return (
        SecondOpinion.objects.filter(status__in=SECOND_OPINION_OPEN)
        .exclude(first_reviewer=reviewer)
        .exclude(item__artist=reviewer)
        .filter(created_at__gte=opinion.created_at)
        .exclude(created_at=opinion.created_at, id__lte=opinion.pk)
        .order_by("created_at", "id")
        .first()
    )


KAPPA_NO_PAIRS = "no pairs"
KAPPA_ONE_CATEGORY = "one category"


def kappa_undefined_why(pairs: list[tuple[str, str]]) -> str:
    """Why ``cohen_kappa(pairs)`` is None: ``KAPPA_NO_PAIRS`` or ``KAPPA_ONE_CATEGORY``
    (both sides used one and the same category throughout); "" when it is defined."""
    if not pairs:
        return KAPPA_NO_PAIRS
    return KAPPA_ONE_CATEGORY if cohen_kappa(pairs) is None else ""


@dataclass(frozen=True)
class ReviewerAgreement:
    """One reviewer over a period. ``pairs``: second opinions given on their first-review
    decisions (approvals and rejections), ``agreed`` of them; ``given``: second opinions
    they gave on others' decisions; ``kappa``: Cohen's kappa over their pairs (their first
    outcome, the blind second outcome), None where undefined, ``kappa_why`` says why."""

    reviewer: User
    pairs: int
    agreed: int
    given: int
    kappa: float | None
    kappa_why: str

    @property
    def agreement_share(self) -> float | None:
        return self.agreed / self.pairs if self.pairs else None


@dataclass(frozen=True)
class AgreementReport:
    """The SLA page's agreement block: one row per reviewer who decided first or gave a
    second opinion in the period, and the same figures over all pairs."""

    rows: list[ReviewerAgreement]
    pairs: int
    agreed: int
    kappa: float | None
    kappa_why: str

    @property
    def agreement_share(self) -> float | None:
        return self.agreed / self.pairs if self.pairs else None


def period_bounds(*, since: date, until: date) -> tuple[datetime, datetime]:
    """``since`` 00:00 UTC to the end of ``until`` (both days included)."""
    start = datetime.combine(since, time.min, tzinfo=UTC)
    return start, datetime.combine(until + timedelta(days=1), time.min, tzinfo=UTC)


def reviewer_agreement(*, since: date, until: date) -> AgreementReport:
    """Second opinions given between ``since`` and ``until`` (UTC days, both included).
    A pair is (the first reviewer's outcome, the blind second outcome), approved or
    rejected; first-review approvals and rejections are both sampled, at the cohort's
    share, so both rows of the table fill (decision 0036). Per reviewer, over the pairs
    where they decided first: the count, the share agreed, and Cohen's kappa; beside it,
    the second opinions they gave. Then the same over all pairs. By reviewer email."""
    start, end = period_bounds(since=since, until=until)
    rows = SecondOpinion.objects.filter(
        status__in=SECOND_OPINION_GIVEN, decided_at__gte=start, decided_at__lt=end
    ).values_list(
        "first_reviewer_id", "first_decision__outcome", "second_reviewer_id", "second_outcome"
    )[:AGREEMENT_MAX_ROWS]
    pairs: dict[int, list[tuple[str, str]]] = defaultdict(list)
    given: dict[int, int] = defaultdict(int)
    everything: list[tuple[str, str]] = []
    for first_id, first, second_id, second in rows:
        pairs[first_id].append((first, second))
        given[second_id] += 1
        everything.append((first, second))
    reviewers = User.objects.filter(pk__in=pairs.keys() | given.keys()).order_by("email")
    return AgreementReport(
        rows=[
            ReviewerAgreement(
                reviewer=reviewer,
                pairs=len(pairs[reviewer.pk]),
                agreed=sum(1 for first, second in pairs[reviewer.pk] if first == second),
                given=given[reviewer.pk],
                kappa=cohen_kappa(pairs[reviewer.pk]),
                kappa_why=kappa_undefined_why(pairs[reviewer.pk]),
            )
            for reviewer in reviewers
        ],
        pairs=len(everything),
        agreed=sum(1 for first, second in everything if first == second),
        kappa=cohen_kappa(everything),
        kappa_why=kappa_undefined_why(everything),
    )


def second_opinion_blind_for(*, item: ReviewItem, viewer: User) -> SecondOpinion | None:
    """The open second opinion on ``item`` that ``viewer`` could give, if any: then the
    viewer must not see the item's decision (its page sends them to the blind page).
    Program admins (who settle) and the first reviewer see the item as it is, and so does
    everyone while the artist's appeal is open: the appeal must be decidable, and whoever
    decides it can't give the second opinion (``moderation.second_opinions``)."""
    if viewer.has_perm(RUN_PROGRAM) or (item.stage == ReviewStage.APPEAL and item.is_open):
        return None
    return (
        SecondOpinion.objects.filter(item=item, status__in=SECOND_OPINION_OPEN)
        .exclude(first_reviewer=viewer)
        .first()
    )
