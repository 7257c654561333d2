from __future__ import annotations

from typing import Any

from django import forms

from accounts.models import User
from ledger.selectors import artists_for_entries
from web.refusals import TypedTextField


class ManualEntryForm(forms.Form):
    artist = forms.ModelChoiceField(
        queryset=User.objects.none(), label="Artist", empty_label="Choose an artist…"
    )
    amount = forms.DecimalField(
        label="Amount",
        max_digits=12,
        decimal_places=2,
        help_text="Negative to debit, e.g. -10.00.",
    )
    reason = forms.CharField(
        label="Reason", max_length=300, help_text="The artist reads this on their ledger."
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["artist"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = artists_for_entries()


class ReverseEntryForm(forms.Form):
    """Why an entry is reversed; the service checks it."""

    reason = TypedTextField()
