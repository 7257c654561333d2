"""A way to write ledger entries dated in the past (the rate card is tests/conftest.py's)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import pytest

from accounts.models import User
from ledger.models import EntryKind, LedgerEntry


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
