from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext, gettext_lazy

_ON = {True, "on", "true", "True", "1"}
_OFF = {None, False, "", "off", "false", "False", "0"}


def is_ticked(value: Any) -> bool:
    """Whether a box's submitted (or initial) value means "on"."""
    return value in _ON


class _RawCheckboxInput(forms.CheckboxInput):
    """Hands the field what was sent: Django's own turns any string into True."""

    def value_from_datadict(self, data: Any, files: Any, name: str) -> Any:
        return data.get(name)


class StrictCheckbox(forms.BooleanField):
    """A checkbox: absent is off, what a browser sends for a ticked box is on, and
    anything else (a hand-made request) is an error on the field rather than a guess."""

    widget = _RawCheckboxInput

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(required=False, **kwargs)

    def to_python(self, value: Any) -> bool:
        if value in _ON:
            return True
        if value in _OFF:
            return False
        raise ValidationError(gettext("Tick the box or leave it empty."), code="invalid")


class NotificationPreferenceForm(forms.Form):
    email_on_video_ready = StrictCheckbox(
        label=gettext_lazy("Email me when a video is ready"),
        help_text=gettext_lazy("You are always told in the portal."),
    )
    email_on_review_decision = StrictCheckbox(
        label=gettext_lazy("Email me when a video has been reviewed"),
        help_text=gettext_lazy("Approved, not approved, or an approval withdrawn."),
    )

    def rows(self) -> list[tuple[forms.BoundField, bool]]:
        """Each box with whether to show it ticked (as sent, after a refusal)."""
        return [(self[name], is_ticked(self[name].value())) for name in self.fields]
