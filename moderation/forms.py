from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext, gettext_lazy

from moderation.models import STAFF_NOTE_MAX_LENGTH
from moderation.reasons import reason_choices
from web.refusals import TypedTextField, TypedTextListField


class RejectForm(forms.Form):
    reason_code = forms.ChoiceField(label=gettext_lazy("Reason"))
    note = forms.CharField(
        label=gettext_lazy("Note to the artist"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("Required when rejecting. The artist reads this."),
        required=False,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["reason_code"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", "Choose a reason…"), *reason_choices()]


class AppealForm(forms.Form):
    statement = forms.CharField(
        label=gettext_lazy("Why should the decision change?"),
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": 2000}),
        max_length=2000,
    )


class ReviewDecisionForm(forms.Form):
    """What the review page's buttons send: a decision's reason and note (the service
    checks them; a refused one is shown again in ``RejectForm``), and ``then=next`` to
    go on to the next item."""

    reason_code = TypedTextField()
    note = TypedTextField()
    then = TypedTextField()


class BulkApproveForm(forms.Form):
    """The queue's ticked items; anything that isn't an item number is left out."""

    items = TypedTextListField()

    def clean_items(self) -> list[int]:
        return [int(v) for v in self.cleaned_data["items"] if v.isascii() and v.isdigit()]


class StaffNoteForm(forms.Form):
    """A private staff note on an item, as typed; ``staff_note_add`` checks it."""

    body = TypedTextField(
        label=gettext_lazy("Private staff note"),
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": STAFF_NOTE_MAX_LENGTH}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "staff-note-%s")  # the page's reject form has id_note
        super().__init__(*args, **kwargs)
        self.fields["body"].help_text = gettext(
            "For reviewers and program admins only: the artist never sees it. "
            "Up to %(max)s characters."
        ) % {"max": STAFF_NOTE_MAX_LENGTH}
