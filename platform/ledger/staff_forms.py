"""The rate card page's form: one amount field per known rate key, no JSON to type.

The form reads what was sent; ``ledger.rates.rates_clean`` (the service's rule) judges
each amount, and its refusal is shown on that amount's own field."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from ledger.models import DEFAULT_CURRENCY, RateCard
from ledger.rates import RATE_LABELS, rates_clean


def rate_field_name(key: str) -> str:
    """``bug:low`` → ``rate_bug_low``: an input name without a colon."""
    return "rate_" + key.replace(":", "_")


class RateCardForm(forms.Form):
    effective_at = forms.DateTimeField(
        label="In force from (UTC)",
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text="Credits earned from this time on use this card, once it is published.",
    )
    # Plain text: the service's rule (three letters) answers, on this field.
    currency = forms.CharField(label="Currency", max_length=10, initial=DEFAULT_CURRENCY)
    note = forms.CharField(
        label="Note for program admins", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for key, label in RATE_LABELS.items():
            self.fields[rate_field_name(key)] = forms.CharField(
                label=f"{label} ({key})",
                required=False,
                max_length=20,
                help_text="Leave empty: this contribution earns nothing.",
                widget=forms.TextInput(attrs={"inputmode": "decimal", "size": 12}),
            )

    def rate_fields(self) -> list[forms.BoundField]:
        return [self[rate_field_name(key)] for key in RATE_LABELS]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        rates: dict[str, str] = {}
        for key in RATE_LABELS:
            name = rate_field_name(key)
            value = (cleaned.get(name) or "").strip()
            if not value:
                continue
            try:
                rates.update(rates_clean({key: value}))
            except ValidationError as error:
                self.add_error(name, error.error_dict["rates"])
        cleaned["rates"] = rates
        return cleaned

    @classmethod
    def initial_from(cls, card: RateCard | None, *, effective_at: datetime | None = None) -> dict:
        """The form's starting values: ``card``'s (its rates, currency and note)."""
        initial: dict[str, Any] = {"currency": DEFAULT_CURRENCY}
        if card is not None:
            initial.update(currency=card.currency, note=card.note)
            initial.update({rate_field_name(key): amount for key, amount in card.rates.items()})
        if effective_at is not None:
            initial["effective_at"] = effective_at
        return initial
