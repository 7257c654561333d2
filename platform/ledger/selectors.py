"""Reads about rate cards, entries and balances."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db.models import Count, F, Max, QuerySet, Sum, Window
from django.utils import timezone

from accounts.models import User
from accounts.permissions import artist_accounts
from ledger.models import DEFAULT_CURRENCY, LedgerEntry, RateCard

ZERO = Decimal("0.00")


def rate_card_in_force(*, now: datetime | None = None) -> RateCard | None:
    """The card automatic credits use: the newest published card already effective."""
    moment = now or timezone.now()
    return (
        RateCard.objects.filter(published_at__isnull=False, effective_at__lte=moment)
        .order_by("-effective_at", "-version")
        .first()
    )


def ledger_currency() -> str:
    """The currency balances are shown in: the card in force's, else the default."""
    card = rate_card_in_force()
    return card.currency if card is not None else DEFAULT_CURRENCY


def ledger_entries_of(*, artist: User) -> QuerySet[LedgerEntry]:
    """Every entry of ``artist``, newest first, each with ``running_balance``: the balance
    in its currency just after it."""
    return (
        LedgerEntry.objects.filter(artist=artist)
        .select_related("reverses", "reversed_by")
        .annotate(
            running_balance=Window(
                Sum("amount"),
                partition_by=[F("currency")],
                order_by=[F("created_at").asc(), F("id").asc()],
            )
        )
        .order_by("-created_at", "-id")
    )


def ledger_balances(*, artist: User) -> dict[str, Decimal]:
    """Balance per currency (only currencies the artist has entries in)."""
    rows = (
        LedgerEntry.objects.filter(artist=artist)
        .values("currency")
        .annotate(total=Sum("amount"))
        .order_by("currency")
    )
    return {row["currency"]: row["total"] for row in rows}


def ledger_balance(*, artist: User, currency: str | None = None) -> Decimal:
    """The sum of ``artist``'s entries in ``currency`` (default: ``ledger_currency()``)."""
    wanted = currency or ledger_currency()
    total = LedgerEntry.objects.filter(artist=artist, currency=wanted).aggregate(
        total=Sum("amount")
    )["total"]
    return total if total is not None else ZERO


@dataclass(frozen=True)
class PeriodTotal:
    artist_id: int
    email: str
    full_name: str
    currency: str
    total: Decimal
    entries: int


def ledger_period_totals(*, start: datetime, end: datetime) -> list[PeriodTotal]:
    """Per artist and currency: the sum and count of entries with start <= created_at < end,
    aggregated in the database. Reversals count in the period they were made."""
    rows = (
        LedgerEntry.objects.filter(created_at__gte=start, created_at__lt=end)
        .values("artist_id", "artist__email", "artist__full_name", "currency")
        .annotate(total=Sum("amount"), entries=Count("id"))
        .order_by("artist__email", "currency")
    )
    return [
        PeriodTotal(
            artist_id=row["artist_id"],
            email=row["artist__email"],
            full_name=row["artist__full_name"],
            currency=row["currency"],
            total=row["total"],
            entries=row["entries"],
        )
        for row in rows
    ]


@dataclass(frozen=True)
class ArtistBalance:
    artist: User
    balances: dict[str, Decimal]
    entries: int
    last_entry_at: datetime | None


def ledger_artist_balances() -> list[ArtistBalance]:
    """Every artist (and anyone else who has entries) with their balance per currency."""
    sums: dict[int, dict[str, Decimal]] = {}
    counts: dict[int, int] = {}
    last: dict[int, datetime] = {}
    rows = (
        LedgerEntry.objects.values("artist_id", "currency")
        .annotate(total=Sum("amount"), entries=Count("id"), last=Max("created_at"))
        .order_by()
    )
    for row in rows:
        artist_id = row["artist_id"]
        sums.setdefault(artist_id, {})[row["currency"]] = row["total"]
        counts[artist_id] = counts.get(artist_id, 0) + row["entries"]
        if artist_id not in last or row["last"] > last[artist_id]:
            last[artist_id] = row["last"]
    people = artist_accounts() | User.objects.filter(pk__in=list(sums))
    return [
        ArtistBalance(
            artist=person,
            balances=sums.get(person.pk, {}),
            entries=counts.get(person.pk, 0),
            last_entry_at=last.get(person.pk),
        )
        for person in people.distinct().order_by("email")
    ]


def ledger_entries_recent(*, artist_id: int | None = None) -> QuerySet[LedgerEntry]:
    """All entries (or one artist's), newest first, for staff."""
    entries = LedgerEntry.objects.select_related("artist", "reverses", "reversed_by")
    if artist_id is not None:
        entries = entries.filter(artist_id=artist_id)
    return entries.order_by("-created_at", "-id")


def artists_for_entries() -> QuerySet[User]:
    """Who a manual entry can be for: artists, by email."""
    return artist_accounts().order_by("email")
