"""The staff invitation page's forms: they read what was sent; the services decide."""

from __future__ import annotations

import csv
import io
from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cohorts.models import Cohort
from invitations.models import WAVE_NAME_MAX, InvitationWave
from invitations.selectors import INVITATION_FILTERS
from invitations.services import BatchRow

MAX_UPLOAD_BYTES = 1024 * 1024
MAX_UPLOAD_ROWS = 2000


def _cohorts() -> forms.ModelChoiceField:
    return forms.ModelChoiceField(
        queryset=Cohort.objects.order_by("name"), label=gettext_lazy("Cohort")
    )


def _waves() -> forms.ModelChoiceField:
    return forms.ModelChoiceField(
        queryset=InvitationWave.objects.order_by("name"),
        required=False,
        label=gettext_lazy("Wave"),
        empty_label=gettext_lazy("No wave"),
    )


class InvitationFilterForm(forms.Form):
    state = forms.ChoiceField(
        choices=[("", "")] + [(state, state) for state in INVITATION_FILTERS], required=False
    )
    wave = _waves()


class WaveFields(forms.Form):
    """Which wave the invitations go into: one from the list, or a new one named here
    (the service refuses both at once, or a name already taken, on ``new_wave``)."""

    wave = _waves()
    new_wave = forms.CharField(
        required=False, max_length=WAVE_NAME_MAX, label=gettext_lazy("Or name a new wave")
    )


class InviteOneForm(WaveFields):
    # A plain text field: the service's own rule says whether the address is valid.
    email = forms.CharField(max_length=254, label=gettext_lazy("Email"))
    cohort = _cohorts()
    field_order = ["email", "cohort", "wave", "new_wave"]


class InviteUploadForm(WaveFields):
    """A CSV file: one address per row, optionally a cohort's name in the second column
    (``cohort`` when a row names none); a first row reading ``email`` is a header."""

    file = forms.FileField(label=gettext_lazy("CSV file"))
    cohort = _cohorts()
    field_order = ["file", "cohort", "wave", "new_wave"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # Its own ids: the invite-one form on the same page has fields of the same names.
        kwargs.setdefault("auto_id", "id_upload_%s")
        super().__init__(*args, **kwargs)

    def clean_file(self) -> list[BatchRow]:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(limit)s MB.") % {"limit": MAX_UPLOAD_BYTES // 2**20},
                code="too_large",
            )
        try:
            text = upload.read().decode("utf-8-sig")
        except UnicodeDecodeError:
            raise forms.ValidationError(
                _("Save the file as CSV in UTF-8 and upload it again."), code="encoding"
            ) from None
        not_csv = forms.ValidationError(
            _("This is not a CSV file: one address per row, optionally a cohort's name."),
            code="not_csv",
        )
        if "\x00" in text:  # a binary file that happens to decode
            raise not_csv
        rows: list[BatchRow] = []
        try:
            reader = csv.reader(io.StringIO(text, newline=""))
            for cells in reader:
                cells = [cell.strip() for cell in cells]
                if not any(cells):
                    continue
                if not rows and reader.line_num == 1 and cells[0].lower() == "email":
                    continue
                if len(cells) > 2:
                    raise forms.ValidationError(
                        _("Row %(row)s has more than two columns (email, cohort).")
                        % {"row": reader.line_num},
                        code="columns",
                    )
                rows.append(
                    BatchRow(
                        number=reader.line_num,
                        email=cells[0],
                        cohort_name=cells[1] if len(cells) > 1 else "",
                    )
                )
                if len(rows) > MAX_UPLOAD_ROWS:
                    raise forms.ValidationError(
                        _("Upload at most %(limit)s rows at a time.") % {"limit": MAX_UPLOAD_ROWS},
                        code="too_many_rows",
                    )
        except csv.Error:
            raise not_csv from None
        if not rows:
            raise forms.ValidationError(_("The file has no addresses."), code="empty")
        return rows
