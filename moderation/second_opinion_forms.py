"""Forms of the second-opinion pages (decision 0036). They read what was sent; the
services decide. The SLA page's period is ``web.periods.PeriodForm``."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy

from moderation.forms import RejectForm
from web.refusals import TypedTextField


class SettleForm(RejectForm):
    """What the settle page sends: ``uphold``, ``revoke`` (an approval) or ``approve`` (a
    rejection), and for a revocation the reason and the note the artist reads
    (``second_opinion_settle`` checks them)."""

    settlement = TypedTextField()

    def __init__(self, *args: Any, on_rejection: bool = False, **kwargs: Any) -> None:
        """``on_rejection``: the first decision was a rejection (approve or uphold, no
        reason); else an approval (revoke, with a reason, or uphold)."""
        super().__init__(*args, **kwargs)
        self.fields["reason_code"].required = False
        self.fields["note"].help_text = (
            gettext_lazy(
                "Optional. If you approve, the artist reads it; if you uphold, only staff do."
            )
            if on_rejection
            else gettext_lazy(
                "Required to revoke: the artist reads it. Optional to uphold (staff only then)."
            )
        )


class SecondOpinionRejectForm(RejectForm):
    """The blind page's rejection: the same reasons (and keys), but the note is for the
    program admin who settles the disagreement; the artist never reads it."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["note"].label = gettext_lazy("Note for the program admin")
        self.fields["note"].help_text = gettext_lazy(
            "Required when rejecting. Staff only: the artist never reads a second opinion."
        )


class SecondOpinionApproveForm(forms.Form):
    """The blind page's approval, with an optional note for the program admin (never
    required: requiring it only on a disagreement would tell the first decision)."""

    note = forms.CharField(
        label=gettext_lazy("Why approve (for the program admin)"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy(
            "Optional. Read by the program admin if the first decision differs. Staff only."
        ),
        required=False,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "approve-%s")
        super().__init__(*args, **kwargs)
