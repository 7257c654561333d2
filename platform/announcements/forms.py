"""The staff announcement form: it reads what was sent; ``announcements.services``
decides (required, lengths, characters)."""

from __future__ import annotations

from django import forms

from announcements.models import BODY_MAX_LENGTH, TITLE_MAX_LENGTH
from cohorts.models import Cohort
from web.refusals import TypedTextField


class AnnouncementForm(forms.Form):
    cohort = forms.ModelChoiceField(
        queryset=Cohort.objects.order_by("name"),
        label="Cohort",
        required=False,  # the service names a missing cohort, with the other fields' errors
        help_text="Every active member of this cohort sees it in the portal and gets an email.",
    )
    title = TypedTextField(
        label="Title", help_text=f"One line, at most {TITLE_MAX_LENGTH} characters."
    )
    body = TypedTextField(
        label="Text",
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=f"Plain text (no HTML; line breaks are kept), at most {BODY_MAX_LENGTH} "
        "characters.",
    )


class AnnouncementEditForm(AnnouncementForm):
    """A draft's title and text; its cohort stays."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        del self.fields["cohort"]
