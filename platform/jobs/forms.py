from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.utils.functional import lazy
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from cohorts.models import Cohort
from generation.geometry import ASPECT_RATIOS
from jobs.models import GenerationMode, JobStatus
from jobs.policy import MAX_PROMPT_LENGTH, normalise_prompt
from jobs.selectors import ReviewState
from jobs.services import modes_offered
from web.refusals import TypedTextField


def _prompt_help() -> str:
    return gettext("Up to %(max)s characters.") % {"max": MAX_PROMPT_LENGTH}


class GenerationForm(forms.Form):
    """The create page. Choices come from the artist's cohort; the service re-checks all.
    ``mode`` lists the modes the cohort offers (``jobs.services.modes_offered``), hidden
    when that is text alone; it takes any mode's name, so a mode the cohort stopped
    offering reaches the service, whose refusal says so. ``start_image`` is there only
    when image is offered."""

    mode = forms.ChoiceField(
        required=False,  # none sent: text to video, as before modes existed
        label=_("Start from"),
        initial=GenerationMode.TEXT.value,
    )
    start_image = forms.FileField(
        required=False,
        label=_("Start image"),
        help_text=_(
            "For image to video: a PNG, JPEG or WebP picture that the video starts from. "
            "It is kept privately with the job and shown to the review team."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg,image/webp"}),
    )

    prompt = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": MAX_PROMPT_LENGTH}),
        strip=False,
        label=_("Prompt"),
        help_text=lazy(_prompt_help, str)(),
    )
    negative_prompt = forms.CharField(
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 2, "maxlength": MAX_PROMPT_LENGTH}),
        label=_("Negative prompt"),
        help_text=_("Optional: what to keep out of the video."),
    )
    duration_seconds = forms.TypedChoiceField(coerce=int, label=_("Duration"))
    resolution = forms.ChoiceField(label=_("Resolution"))
    aspect_ratio = forms.ChoiceField(
        choices=[(a, a) for a in ASPECT_RATIOS], label=_("Aspect ratio")
    )
    seed = forms.IntegerField(
        required=False,
        min_value=0,
        label=_("Seed"),
        help_text=_("Optional: the same seed and prompt repeat a video."),
    )

    def __init__(self, *args: Any, cohort: Cohort | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        durations = cohort.allowed_durations if cohort else []
        resolutions = cohort.allowed_resolutions if cohort else []
        duration_field = self.fields["duration_seconds"]
        assert isinstance(duration_field, forms.TypedChoiceField)
        duration_field.choices = [
            (d, ngettext("%(count)s second", "%(count)s seconds", d) % {"count": d})
            for d in durations
        ]
        resolution_field = self.fields["resolution"]
        assert isinstance(resolution_field, forms.ChoiceField)
        resolution_field.choices = [(r, r) for r in resolutions]
        offered = modes_offered(cohort=cohort)
        mode_field = self.fields["mode"]
        assert isinstance(mode_field, forms.ChoiceField)
        mode_field.choices = GenerationMode.choices
        if offered in ([], [GenerationMode.TEXT.value]):
            mode_field.widget = forms.HiddenInput()
        else:
            mode_field.widget.choices = [(m, GenerationMode(m).label) for m in offered]
        if GenerationMode.IMAGE.value not in offered:
            del self.fields["start_image"]

    def submission(self) -> dict[str, Any]:
        """``cleaned_data`` as ``jobs.services.job_submit_once`` takes it (the start image
        as a file; none unless the mode is image, so a text submission stays text)."""
        fields = dict(self.cleaned_data)
        if not fields.get("mode"):
            fields.pop("mode", None)
        upload = fields.pop("start_image", None)
        if upload is not None and fields.get("mode") == GenerationMode.IMAGE:
            fields["start_image_file"] = upload
        return fields

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


class SubmissionForm(forms.Form):
    """The create page's hidden fields: the key that makes sending the same form twice
    make one job (``jobs.services.job_submit_once``), and the job being remixed."""

    submission_key = TypedTextField()
    remix_of = TypedTextField()


ISO_DATE = ["%Y-%m-%d"]


class GenerationFilterForm(forms.Form):
    """The filters of My generations and of ``GET /api/v1/generations/``: the same names,
    values and errors in both. Dates are UTC days, both ends included."""

    status = forms.ChoiceField(
        required=False, label=_("Status"), choices=[("", _("Any status")), *JobStatus.choices]
    )
    review = forms.ChoiceField(
        required=False,
        label=_("Review"),
        choices=[("", _("Any review state")), *ReviewState.choices],
    )
    submitted_from = forms.DateField(
        required=False,
        label=_("Submitted from"),
        input_formats=ISO_DATE,
        error_messages={"invalid": _("Enter a date as YYYY-MM-DD.")},
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    submitted_to = forms.DateField(
        required=False,
        label=_("Submitted to"),
        input_formats=ISO_DATE,
        error_messages={"invalid": _("Enter a date as YYYY-MM-DD.")},
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start: date | None = cleaned.get("submitted_from")
        end: date | None = cleaned.get("submitted_to")
        if start and end and start > end:
            self.add_error(
                "submitted_to",
                forms.ValidationError(
                    _("The end date is before the start date (%(start)s)."),
                    code="before_start",
                    params={"start": start.isoformat()},
                ),
            )
        return cleaned
