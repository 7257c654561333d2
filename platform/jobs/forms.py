from __future__ import annotations

from typing import Any

from django import forms

from cohorts.models import Cohort
from generation.geometry import ASPECT_RATIOS
from jobs.policy import MAX_PROMPT_LENGTH, normalise_prompt


class GenerationForm(forms.Form):
    """The create page. Choices come from the artist's cohort; the service re-checks all."""

    prompt = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": MAX_PROMPT_LENGTH}),
        strip=False,
        help_text=f"Up to {MAX_PROMPT_LENGTH} characters.",
    )
    negative_prompt = forms.CharField(
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 2, "maxlength": MAX_PROMPT_LENGTH}),
        help_text="Optional: what to keep out of the video.",
    )
    duration_seconds = forms.TypedChoiceField(coerce=int, label="Duration")
    resolution = forms.ChoiceField()
    aspect_ratio = forms.ChoiceField(choices=[(a, a) for a in ASPECT_RATIOS], label="Aspect ratio")
    seed = forms.IntegerField(
        required=False, min_value=0, help_text="Optional: the same seed and prompt repeat a video."
    )

    def __init__(self, *args: Any, cohort: Cohort | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        durations = cohort.allowed_durations if cohort else []
        resolutions = cohort.allowed_resolutions if cohort else []
        duration_field = self.fields["duration_seconds"]
        assert isinstance(duration_field, forms.TypedChoiceField)
        duration_field.choices = [(d, f"{d} seconds") for d in durations]
        resolution_field = self.fields["resolution"]
        assert isinstance(resolution_field, forms.ChoiceField)
        resolution_field.choices = [(r, r) for r in resolutions]

    def _normalised(self, field: str, *, required: bool) -> str:
        try:
            return normalise_prompt(
                self.cleaned_data.get(field) or "", field=field, required=required
            )
        except forms.ValidationError as error:
            raise forms.ValidationError(error.error_dict[field]) from None

    def clean_prompt(self) -> str:
        return self._normalised("prompt", required=True)

    def clean_negative_prompt(self) -> str:
        return self._normalised("negative_prompt", required=False)
