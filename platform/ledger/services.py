"""Writes to the ledger: rate cards, automatic credits, manual entries, reversals.

Every write is one transaction that ends with its audit event. Entries are only ever
inserted (see ``ledger.models.LedgerEntry``).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.language import language_for
from accounts.models import User
from accounts.permissions import RUN_PROGRAM, is_artist, require
from audit.services import audit_record
from domain.text import clean_text
from ledger.errors import AlreadyReversed, NotReversible, RateCardFrozen
from ledger.models import DEFAULT_CURRENCY, EntryKind, LedgerEntry, RateCard
from ledger.rates import MAX_AMOUNT, RATE_LABELS, decimal_or_none, rates_clean
from ledger.selectors import rate_card_in_force
from notifications.services import notify

REASON_MAX = 300
MAX_NOTE = 5000  # a rate card's note for admins
SOURCE_KEY_MAX = 200


def _ledger_link() -> str:
    return reverse("ledger:home")


def _money(amount: Decimal, currency: str) -> str:
    return f"{amount:.2f} {currency}"


# Rate cards


def _card_fields_clean(
    *, effective_at: datetime, currency: str, rates: object, note: str
) -> dict[str, Any]:
    errors: dict[str, Any] = {}
    try:
        note = clean_text(note, field="note", max_length=MAX_NOTE, multiline=True)
    except ValidationError as error:
        errors.update(error.error_dict)
    code = (currency or "").strip().upper()
    if not (len(code) == 3 and code.isascii() and code.isalpha()):
        errors["currency"] = ValidationError(
            _('Give a three-letter currency code, e.g. "EUR".'), code="invalid"
        )
    if timezone.is_naive(effective_at):
        errors["effective_at"] = ValidationError(
            _("Give the effective time with its time zone."), code="invalid"
        )
    try:
        cleaned_rates = rates_clean(rates)
    except ValidationError as error:
        errors.update(error.error_dict)
    if errors:
        raise ValidationError(errors)
    return {"effective_at": effective_at, "currency": code, "rates": cleaned_rates, "note": note}


def rate_card_create(
    *,
    admin: User,
    effective_at: datetime,
    rates: dict[str, Any],
    currency: str = DEFAULT_CURRENCY,
    note: str = "",
    version: int | None = None,
) -> RateCard:
    """Draft a rate card. ``version`` defaults to one above the highest so far. A draft
    earns nobody anything until published and effective."""
    require(
        actor=admin,
        perm=RUN_PROGRAM,
        missing="refuse",
        message=_("Only program admins may %(action)s.") % {"action": "edit rate cards"},
    )
    fields = _card_fields_clean(
        effective_at=effective_at, currency=currency, rates=rates, note=note
    )
    if version is not None and version < 1:
        raise ValidationError(
            {"version": ValidationError(_("Versions start at 1."), code="invalid")}
        )
    with transaction.atomic():
        number = version
        if number is None:
            highest = RateCard.objects.aggregate(highest=Max("version"))["highest"]
            number = (highest or 0) + 1
        try:
            with transaction.atomic():
                card = RateCard.objects.create(version=number, created_by=admin, **fields)
        except IntegrityError:
            raise ValidationError(
                {
                    "version": ValidationError(
                        _("Version %(number)s already exists.") % {"number": number}, code="unique"
                    )
                }
            ) from None
        audit_record(
            actor=admin,
            action="rate_card.create",
            target=card,
            data={"version": card.version, "currency": card.currency, "rates": card.rates},
        )
    return card


def rate_card_update(
    *,
    admin: User,
    card: RateCard,
    effective_at: datetime,
    rates: dict[str, Any],
    currency: str = DEFAULT_CURRENCY,
    note: str = "",
) -> RateCard:
    """Edit a draft. A published card is frozen: raises RateCardFrozen."""
    require(
        actor=admin,
        perm=RUN_PROGRAM,
        missing="refuse",
        message=_("Only program admins may %(action)s.") % {"action": "edit rate cards"},
    )
    fields = _card_fields_clean(
        effective_at=effective_at, currency=currency, rates=rates, note=note
    )
    with transaction.atomic():
        locked = RateCard.objects.select_for_update().get(pk=card.pk)
        if locked.is_published:
            raise RateCardFrozen(
                _(
                    "Rate card v%(version)s is published and can't change. Draft "
                    "a new version instead."
                )
                % {"version": locked.version}
            )
        for name, value in fields.items():
            setattr(locked, name, value)
        locked.save(update_fields=list(fields))
        audit_record(
            actor=admin,
            action="rate_card.update",
            target=locked,
            data={"version": locked.version, "currency": locked.currency, "rates": locked.rates},
        )
    return locked


def rate_card_publish(*, admin: User, card: RateCard) -> RateCard:
    """Freeze the card; it is in force from ``effective_at`` until a newer published card
    takes effect. Publishing twice is a no-op."""
    require(
        actor=admin,
        perm=RUN_PROGRAM,
        missing="refuse",
        message=_("Only program admins may %(action)s.") % {"action": "publish rate cards"},
    )
    with transaction.atomic():
        locked = RateCard.objects.select_for_update().get(pk=card.pk)
        if locked.is_published:
            return locked
        locked.published_at = timezone.now()
        locked.save(update_fields=["published_at"])
        audit_record(
            actor=admin,
            action="rate_card.publish",
            target=locked,
            data={
                "version": locked.version,
                "effective_at": locked.effective_at.isoformat(),
                "currency": locked.currency,
                "rates": locked.rates,
            },
        )
    return locked


# Entries


def ledger_credit(
    *, artist: User, source_key: str, rate_key: str, reason: str
) -> LedgerEntry | None:
    """Credit ``artist`` once for the contribution named by ``source_key`` (e.g.
    ``"feedback:42"``), at the ``rate_key`` rate of the card in force.

    Exactly once: calling again with the same ``source_key`` (a retry, a second worker,
    a concurrent request) returns the first entry and changes nothing. Returns None, and
    records nothing, when no card is in force or it pays nothing for ``rate_key`` (a later
    call may then credit, e.g. once a card is in force). Safe inside the caller's
    transaction: a lost race only rolls back a savepoint.
    """
    key = source_key.strip()
    if not key or len(key) > SOURCE_KEY_MAX:
        raise ValueError(f"source_key must be 1 to {SOURCE_KEY_MAX} characters, not {key!r}.")
    if rate_key not in RATE_LABELS:
        raise ValueError(f"Unknown rate key {rate_key!r}; known: {', '.join(RATE_LABELS)}.")
    text = " ".join(reason.split())
    if not text:
        raise ValueError("A credit needs a reason the artist can read.")
    if len(text) > REASON_MAX:
        text = text[: REASON_MAX - 1] + "…"

    existing = LedgerEntry.objects.filter(source_key=key).first()
    if existing is not None:
        return _same_artist(existing, artist)
    card = rate_card_in_force()
    if card is None:
        return None
    amount = card.rate_for(rate_key)
    if amount is None or amount <= 0:
        return None

    with transaction.atomic():
        try:
            with transaction.atomic():
                entry = LedgerEntry.objects.create(
                    artist=artist,
                    amount=amount,
                    currency=card.currency,
                    kind=EntryKind.AUTO,
                    reason=text,
                    source_key=key,
                    rate_card=card,
                )
        except IntegrityError:
            # Someone else credited this contribution first (the unique source_key).
            winner = LedgerEntry.objects.filter(source_key=key).first()
            if winner is None:
                raise
            return _same_artist(winner, artist)
        with translation.override(language_for(artist)):
            notify(
                user=artist,
                message=_("You earned %(amount)s: %(reason)s")
                % {"amount": _money(amount, card.currency), "reason": text},
                link=_ledger_link(),
                email_subject=_("[Vernissage] You earned a contribution credit"),
            )
        audit_record(
            actor=None,
            action="ledger.credit",
            target=entry,
            data={
                "artist": artist.pk,
                "amount": str(amount),
                "currency": card.currency,
                "rate_key": rate_key,
                "rate_card": card.version,
                "source_key": key,
            },
        )
    return entry


def _same_artist(entry: LedgerEntry, artist: User) -> LedgerEntry:
    if entry.artist_id != artist.pk:
        raise ValueError(
            f"source_key {entry.source_key!r} already credited another artist "
            f"(entry {entry.pk}); source keys must name one contribution."
        )
    return entry


def _reason_clean(reason: str, errors: dict[str, ValidationError]) -> str:
    try:
        return clean_text(
            reason,
            field="reason",
            max_length=REASON_MAX,
            required=True,
            required_message=_("Give a reason the artist can read."),
        )
    except ValidationError as error:
        errors["reason"] = error.error_dict["reason"][0]
        return ""


def ledger_manual_entry(*, admin: User, artist: User, amount: Decimal, reason: str) -> LedgerEntry:
    """A program admin credits (positive ``amount``) or debits (negative) an artist by
    hand, in the ledger's currency. Raises ValidationError naming each bad field."""
    require(
        actor=admin,
        perm=RUN_PROGRAM,
        missing="refuse",
        message=_("Only program admins may %(action)s.") % {"action": "add ledger entries"},
    )
    errors: dict[str, ValidationError] = {}
    value = decimal_or_none(amount)
    if value is None:
        errors["amount"] = ValidationError(
            _("Enter an amount with at most 2 decimal places."), code="invalid"
        )
    elif value == 0:
        errors["amount"] = ValidationError(_("Enter a non-zero amount."), code="zero")
    elif abs(value) > MAX_AMOUNT:
        errors["amount"] = ValidationError(_("That amount is too large."), code="too_large")
    text = _reason_clean(reason, errors)
    if not is_artist(artist):
        errors["artist"] = ValidationError(
            _("Ledger entries are for artists only."), code="not_an_artist"
        )
    if errors:
        raise ValidationError(errors)
    assert value is not None
    card = rate_card_in_force()
    currency = card.currency if card is not None else DEFAULT_CURRENCY
    with transaction.atomic():
        entry = LedgerEntry.objects.create(
            artist=artist,
            amount=value,
            currency=currency,
            kind=EntryKind.MANUAL,
            reason=text,
            created_by=admin,
        )
        with translation.override(language_for(artist)):
            notify(
                user=artist,
                message=_("Your ledger was adjusted by %(amount)s: %(reason)s")
                % {"amount": _money(value, currency), "reason": text},
                link=_ledger_link(),
            )
        audit_record(
            actor=admin,
            action="ledger.manual",
            target=entry,
            data={"artist": artist.pk, "amount": str(value), "currency": currency, "reason": text},
        )
    return entry


def ledger_reverse(*, admin: User, entry: LedgerEntry, reason: str) -> LedgerEntry:
    """Undo ``entry`` with an entry of the opposite amount. An entry is reversed at most
    once, and a reversal can't itself be reversed (add a manual entry instead)."""
    require(
        actor=admin,
        perm=RUN_PROGRAM,
        missing="refuse",
        message=_("Only program admins may %(action)s.") % {"action": "reverse ledger entries"},
    )
    errors: dict[str, ValidationError] = {}
    text = _reason_clean(reason, errors)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        # The lock makes two admins reversing at once take turns; the one-to-one
        # ``reverses`` column would refuse the second anyway.
        locked = LedgerEntry.objects.select_for_update().get(pk=entry.pk)
        if locked.kind == EntryKind.REVERSAL:
            raise NotReversible(
                f"Entry #{locked.pk} is itself a reversal and can't be reversed; "
                "add a manual entry instead."
            )
        if LedgerEntry.objects.filter(reverses=locked).exists():
            raise AlreadyReversed(f"Entry #{locked.pk} has already been reversed.")
        try:
            with transaction.atomic():
                reversal = LedgerEntry.objects.create(
                    artist_id=locked.artist_id,
                    amount=-locked.amount,
                    currency=locked.currency,
                    kind=EntryKind.REVERSAL,
                    reason=text,
                    reverses=locked,
                    rate_card=locked.rate_card,
                    created_by=admin,
                )
        except IntegrityError:
            raise AlreadyReversed(f"Entry #{locked.pk} has already been reversed.") from None
        with translation.override(language_for(locked.artist)):
            notify(
                user=locked.artist,
                message=_("An entry of %(amount)s on your ledger was reversed: %(reason)s")
                % {"amount": _money(locked.amount, locked.currency), "reason": text},
                link=_ledger_link(),
            )
        audit_record(
            actor=admin,
            action="ledger.reverse",
            target=reversal,
            data={
                "artist": locked.artist_id,
                "reverses": locked.pk,
                "amount": str(reversal.amount),
                "currency": reversal.currency,
                "reason": text,
            },
        )
    return reversal
