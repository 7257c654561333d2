"""Rate cards (what a contribution earns) and the ledger itself (what each artist earned)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, NoReturn

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy

from ledger.errors import LedgerImmutable
from ledger.rates import decimal_or_none

DEFAULT_CURRENCY = "EUR"


class RateCard(models.Model):
    """One version of the rates. A draft until published; published cards are frozen
    (``ledger.services`` refuses edits, and a database trigger backs it up). The card in
    force is the newest published one whose ``effective_at`` has passed
    (``ledger.selectors.rate_card_in_force``)."""

    version = models.PositiveIntegerField(unique=True)
    effective_at = models.DateTimeField(help_text="From when this card applies (UTC).")
    published_at = models.DateTimeField(
        null=True, blank=True, help_text="Empty while a draft; set once, on publishing."
    )
    currency = models.CharField(max_length=3, default=DEFAULT_CURRENCY)
    rates = models.JSONField(
        default=dict,
        blank=True,
        help_text='Rate key → amount as a string, e.g. {"bug:high": "40.00", "survey": "5.00"}.',
    )
    note = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-version"]

    def __str__(self) -> str:
        state = "published" if self.is_published else "draft"
        return f"Rate card v{self.version} ({state})"

    @property
    def is_published(self) -> bool:
        return self.published_at is not None

    def rate_for(self, rate_key: str) -> Decimal | None:
        """The amount ``rate_key`` earns under this card; None when the card has none."""
        if rate_key not in self.rates:
            return None
        return decimal_or_none(self.rates[rate_key])


class EntryKind(models.TextChoices):
    AUTO = "auto", gettext_lazy("Automatic credit")
    MANUAL = "manual", gettext_lazy("Manual entry")
    REVERSAL = "reversal", gettext_lazy("Reversal")


class LedgerEntryQuerySet(models.QuerySet["LedgerEntry"]):
    """Reads as usual; bulk changes are refused: the ledger is append-only."""

    def update(self, **kwargs: Any) -> NoReturn:
        raise LedgerImmutable("Ledger entries can't be changed; add a reversal instead.")

    def delete(self) -> NoReturn:
        raise LedgerImmutable("Ledger entries can't be deleted; add a reversal instead.")

    def bulk_update(self, *args: Any, **kwargs: Any) -> NoReturn:
        # Refuse before Django opens its atomic block, so the caller's transaction survives.
        raise LedgerImmutable("Ledger entries can't be changed; add a reversal instead.")

    def bulk_create(self, objs: Any, *args: Any, **kwargs: Any) -> Any:
        if kwargs.get("update_conflicts"):
            raise LedgerImmutable("Ledger entries can't be changed; add a reversal instead.")
        return super().bulk_create(objs, *args, **kwargs)


class LedgerEntry(models.Model):
    """One amount credited (or debited) to an artist. Never edited, never deleted: a
    mistake is undone by a reversal (``ledger.services.ledger_reverse``), which is itself
    an entry. The balance is the sum of the entries.

    ``source_key`` makes automatic credits exactly-once (one entry per contribution,
    e.g. ``"feedback:42"``); ``reverses`` is one-to-one, so an entry is reversed at most once.
    """

    artist = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="ledger_entries"
    )
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    currency = models.CharField(max_length=3)
    kind = models.CharField(max_length=8, choices=EntryKind.choices)
    reason = models.CharField(max_length=300)
    source_key = models.CharField(max_length=200, null=True, blank=True, unique=True)
    reverses = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="reversed_by"
    )
    rate_card = models.ForeignKey(
        RateCard, null=True, blank=True, on_delete=models.PROTECT, related_name="entries"
    )
    # PROTECT, not SET_NULL: nulling the column would be an update of a ledger row.
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = LedgerEntryQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "ledger entries"
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["artist", "created_at"], name="ledger_entry_artist_time"),
            models.Index(fields=["created_at"], name="ledger_entry_time"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind="reversal") & Q(reverses__isnull=False))
                | (~Q(kind="reversal") & Q(reverses__isnull=True)),
                name="ledger_entry_reversal_links_its_entry",
            ),
            models.CheckConstraint(
                condition=(Q(kind="auto") & Q(source_key__isnull=False))
                | (~Q(kind="auto") & Q(source_key__isnull=True)),
                name="ledger_entry_auto_has_source_key",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=EntryKind.values), name="ledger_entry_kind_valid"
            ),
            models.CheckConstraint(condition=~Q(amount=0), name="ledger_entry_amount_not_zero"),
            models.CheckConstraint(condition=~Q(reason=""), name="ledger_entry_reason_given"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.amount} {self.currency} to {self.artist_id} ({self.kind})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Insert a new entry; refuse anything that would change an existing row."""
        if not self._state.adding or (
            self.pk is not None and LedgerEntry.objects.filter(pk=self.pk).exists()
        ):
            raise LedgerImmutable(
                f"Ledger entry {self.pk} already exists and can't be changed; "
                "add a reversal instead."
            )
        if kwargs.get("force_update") or kwargs.get("update_fields") is not None:
            raise LedgerImmutable("Ledger entries can only be inserted, never updated.")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise LedgerImmutable(
            f"Ledger entry {self.pk} can't be deleted; the ledger is append-only."
        )

    @property
    def is_reversible(self) -> bool:
        """Not a reversal itself, and not reversed yet."""
        if self.kind == EntryKind.REVERSAL:
            return False
        try:
            self.reversed_by  # noqa: B018 (a reverse one-to-one: raises when absent)
        except LedgerEntry.DoesNotExist:
            return True
        return False
