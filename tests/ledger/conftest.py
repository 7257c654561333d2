"""Rate cards for the ledger tests, and a way to write entries dated in the past."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.models import User
from ledger.models import EntryKind, LedgerEntry, RateCard
from ledger.services import rate_card_create, rate_card_publish

RATES = {
    "bug:low": "5.00",
    "bug:medium": "12.00",
    "bug:high": "40.00",
    "bug:critical": "100.00",
    "safety:high": "60.00",
    "feature": "25.50",
    "survey": "5.00",
    "showcase": "0",
}


@pytest.fixture
def rate_card(program_admin: User) -> RateCard:
    """A published card, in force since an hour ago."""
    draft = rate_card_create(
        admin=program_admin,
        effective_at=timezone.now() - timedelta(hours=1),
        rates=RATES,
        note="Launch rates.",
    )
    return rate_card_publish(admin=program_admin, card=draft)


@pytest.fixture
def past_entry():
    """Insert an entry with a chosen date, as if it had been made then (periods)."""

    def make(artist: User, amount: str, at: datetime, reason: str = "earlier work") -> LedgerEntry:
        return LedgerEntry.objects.create(
            artist=artist,
            amount=Decimal(amount),
            currency="EUR",
            kind=EntryKind.MANUAL,
            reason=reason,
            created_at=at,
        )

    return make
