"""The program page's forms (``cohorts.staff_views``): they read what was sent; the
services (``cohorts.services``) say what is allowed."""

from __future__ import annotations

from django import forms

from cohorts.options import MAX_DURATION_SECONDS, DownloadPolicy, GenerationMode, Resolution
from web.refusals import TypedTextField, TypedTextListField

DURATION_CHOICES = [(n, f"{n} s") for n in range(1, MAX_DURATION_SECONDS + 1)]


class CohortSettingsForm(forms.Form):
    """Numbers must be whole numbers (a field error otherwise); their ranges, and every
    list and choice, are the services' to check."""

    capacity = forms.IntegerField(label="Capacity (seats)")
    daily_generation_quota = forms.IntegerField(label="Daily generations per artist")
    review_sla_hours = forms.IntegerField(label="Review SLA (hours)")
    scheduling_weight = forms.IntegerField(label="Scheduling weight")
    max_variations = forms.IntegerField(label="Most variations per submission")
    max_shots = forms.IntegerField(label="Most shots per storyboard")
    # Left out: unchanged (the service checks the range).
    second_opinion_share = forms.IntegerField(label="Second opinions (%)", required=False)
    allowed_durations = TypedTextListField()
    allowed_resolutions = TypedTextListField()
    allowed_modes = TypedTextListField()
    visible_watermark = forms.BooleanField(required=False)
    download_policy = TypedTextField()

    def clean_allowed_durations(self) -> list[int] | list[str]:
        sent: list[str] = self.cleaned_data["allowed_durations"]
        try:
            return [int(value) for value in sent]
        except ValueError:
            # Not numbers: the service refuses them with its own message.
            return sent


class CohortPauseForm(forms.Form):
    reason = TypedTextField()


def settings_options() -> dict[str, list[tuple[object, str]]]:
    """What the page offers as checkboxes and choices."""
    return {
        "durations": list(DURATION_CHOICES),
        "resolutions": list(Resolution.choices),
        "modes": [(value, str(label)) for value, label in GenerationMode.choices],
        "policies": [(value, str(label)) for value, label in DownloadPolicy.choices],
    }
