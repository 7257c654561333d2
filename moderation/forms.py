from __future__ import annotations

from typing import Any

from django import forms

from moderation.reasons import reason_choices


class RejectForm(forms.Form):
    reason_code = forms.ChoiceField(label="Reason")
    note = forms.CharField(
        label="Note to the artist",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Required when rejecting. The artist reads this.",
        required=False,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["reason_code"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", "Choose a reason…"), *reason_choices()]


class AppealForm(forms.Form):
    statement = forms.CharField(
        label="Why should the decision change?",
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": 2000}),
        max_length=2000,
    )
