from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.functional import lazy
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from cohorts.models import Cohort
from domain.errors import DomainError
from generation.geometry import ASPECT_RATIOS
from generation.registry import CAPABILITY_START_END_IMAGE
from jobs.models import MAX_SHOTS, MAX_VARIATIONS, MIN_SHOTS, GenerationMode, Job, JobStatus
from jobs.modes import SHOT_FILE
from jobs.policy import MAX_PROMPT_LENGTH, normalise_prompt
from jobs.selectors import ReviewState
from jobs.services import default_model_for, modes_offered
from web.refusals import TypedTextField, refusal_to_form


def _prompt_help() -> str:
    return gettext("Up to %(max)s characters.") % {"max": MAX_PROMPT_LENGTH}


IMAGE_TYPES = "image/png,image/jpeg,image/webp"
# A service error on one shot's field, e.g. ``shots[1].prompt`` (jobs.modes).
SHOT_ERROR = re.compile(r"shots\[(\d+)\]\.(prompt|duration_seconds|start_image)")


def shot_field(index: int, name: str) -> str:
    """The create form's name of shot ``index``'s (from 0) field ``name``."""
    return f"shots-{index}-{name}"


@dataclass(frozen=True)
class ShotFields:
    """One shot's fieldset on the create page."""

    number: int  # from 1, as the page shows it
    prompt: forms.BoundField
    duration_seconds: forms.BoundField
    start_image: forms.BoundField | None


class GenerationForm(forms.Form):
    """The create page. Choices come from the artist's cohort; the service re-checks all.
    ``mode`` lists the modes the cohort offers (``jobs.services.modes_offered``), hidden
    when that is text alone; it takes any mode's name, so a mode the cohort stopped
    offering reaches the service, whose refusal says so. Each mode's own fields are there
    only when it is offered: the start (and, where a model can end on one, end) image for
    image, the video to continue (``extends``, offered only with ``extend_parent``) for
    extend, one fieldset per possible shot for storyboard. Without JavaScript every
    fieldset shows; ``submission`` sends only the chosen mode's fields, and leaves out
    the blank shots at the end of a storyboard."""

    mode = forms.ChoiceField(
        required=False,  # none sent: text to video, as before modes existed
        label=_("Start from"),
        initial=GenerationMode.TEXT.value,
    )
    extends = TypedTextField(widget=forms.HiddenInput())
    start_image = forms.FileField(
        required=False,
        label=_("Start image"),
        help_text=_(
            "For image to video: a PNG, JPEG or WebP picture that the video starts from. "
            "It is kept privately with the job and shown to the review team."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": IMAGE_TYPES}),
    )
    end_image = forms.FileField(
        required=False,
        label=_("End image (optional)"),
        help_text=_("For image to video: a picture that the video ends on."),
        widget=forms.ClearableFileInput(attrs={"accept": IMAGE_TYPES}),
    )

    prompt = forms.CharField(
        required=False,  # required by mode: clean_prompt
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
    variations = forms.TypedChoiceField(
        coerce=int,
        required=False,  # none sent: one video
        empty_value=None,
        initial=1,
        label=_("Variations"),
        help_text=_(
            "How many videos to make, each with the next seed. Each is a video of its own, "
            "reviewed on its own, and counts against your daily quota."
        ),
    )

    def __init__(
        self, *args: Any, cohort: Cohort | None, extend_parent: Job | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        offered = modes_offered(cohort=cohort)
        # Extend continues one video: offered from that video's page (?extend=<id>).
        self.extend_parent = extend_parent if GenerationMode.EXTEND.value in offered else None
        durations = cohort.allowed_durations if cohort else []
        resolutions = cohort.allowed_resolutions if cohort else []
        duration_choices = [
            (d, ngettext("%(count)s second", "%(count)s seconds", d) % {"count": d})
            for d in durations
        ]
        self._choices("duration_seconds", duration_choices)
        self._choices("resolution", [(r, r) for r in resolutions])
        # Any count is taken (the service says what the cohort allows); its own are shown.
        most = cohort.max_variations if cohort else 1
        self._choices("variations", [(n, str(n)) for n in range(1, MAX_VARIATIONS + 1)])
        variations = self.fields["variations"]
        if most <= 1:
            variations.widget = forms.HiddenInput()
        else:
            assert isinstance(variations.widget, forms.Select)
            variations.widget.choices = [(n, str(n)) for n in range(1, most + 1)]
        shown = [
            m for m in offered if m != GenerationMode.EXTEND.value or self.extend_parent is not None
        ]
        mode_field = self.fields["mode"]
        assert isinstance(mode_field, forms.ChoiceField)
        mode_field.choices = GenerationMode.choices
        if shown in ([], [GenerationMode.TEXT.value]):
            mode_field.widget = forms.HiddenInput()
        else:
            mode_field.widget.choices = [(m, GenerationMode(m).label) for m in shown]
        self.modes_shown = shown
        if GenerationMode.IMAGE.value not in offered:
            del self.fields["start_image"]
        if (
            GenerationMode.IMAGE.value not in offered
            or default_model_for(GenerationMode.IMAGE, needed=CAPABILITY_START_END_IMAGE) is None
        ):
            del self.fields["end_image"]
        if GenerationMode.EXTEND.value not in offered:
            del self.fields["extends"]
        self.max_shots = 0
        if GenerationMode.STORYBOARD.value in offered:
            self.max_shots = min(MAX_SHOTS, cohort.max_shots if cohort else MIN_SHOTS)
            image_shots = default_model_for(GenerationMode.IMAGE) is not None
            for index in range(self.max_shots):
                self._add_shot(index, duration_choices, image=image_shots)

    def _choices(self, name: str, choices: list[tuple[Any, str]]) -> None:
        field = self.fields[name]
        assert isinstance(field, forms.ChoiceField)
        field.choices = choices

    def _add_shot(self, index: int, durations: list[tuple[int, str]], *, image: bool) -> None:
        self.fields[shot_field(index, "prompt")] = forms.CharField(
            required=False,  # the service says which shot needs one
            strip=False,
            widget=forms.Textarea(attrs={"rows": 2, "maxlength": MAX_PROMPT_LENGTH}),
            label=_("Prompt"),
        )
        self.fields[shot_field(index, "duration_seconds")] = forms.TypedChoiceField(
            coerce=int, choices=durations, required=False, empty_value=None, label=_("Duration")
        )
        if image:
            self.fields[shot_field(index, "start_image")] = forms.FileField(
                required=False,
                label=_("Start image (optional)"),
                widget=forms.ClearableFileInput(attrs={"accept": IMAGE_TYPES}),
            )

    @property
    def takes_files(self) -> bool:
        return any(isinstance(field, forms.FileField) for field in self.fields.values())

    def shot_rows(self) -> list[ShotFields]:
        """Each possible shot's fields, in order, for the page."""
        return [
            ShotFields(
                number=index + 1,
                prompt=self[shot_field(index, "prompt")],
                duration_seconds=self[shot_field(index, "duration_seconds")],
                start_image=self[shot_field(index, "start_image")]
                if shot_field(index, "start_image") in self.fields
                else None,
            )
            for index in range(self.max_shots)
        ]

    def chosen_mode(self) -> str:
        return self.cleaned_data.get("mode") or GenerationMode.TEXT.value

    def _shots_sent(self) -> list[tuple[str, int | None, UploadedFile | None]]:
        """The shots as sent, less the blank ones at the end (no prompt, no image): the
        page shows every shot's fieldset when it has no JavaScript."""
        shots = [
            (
                self.cleaned_data.get(shot_field(index, "prompt")) or "",
                self.cleaned_data.get(shot_field(index, "duration_seconds")),
                self.cleaned_data.get(shot_field(index, "start_image")),
            )
            for index in range(self.max_shots)
        ]
        while shots and not shots[-1][0].strip() and shots[-1][2] is None:
            shots.pop()
        return shots

    def submission(self) -> dict[str, Any]:
        """``cleaned_data`` as ``jobs.services.job_submit_once`` takes it: only the chosen
        mode's fields, so a text submission stays text (images as files, a storyboard's
        shots as dicts with theirs as files: the service checks and stores them, and
        sending the same form twice is one job)."""
        mode = self.chosen_mode()
        fields = {
            name: value
            for name, value in self.cleaned_data.items()
            if not name.startswith("shots-")
        }
        if not fields.get("mode"):
            fields.pop("mode", None)
        start = fields.pop("start_image", None)
        end = fields.pop("end_image", None)
        extends = fields.pop("extends", "")
        if fields.get("variations") in (None, 1):
            fields.pop("variations", None)  # one video, as before variations existed
        if mode == GenerationMode.IMAGE:
            if start is not None:
                fields["start_image_file"] = start
            if end is not None:
                fields["end_image_file"] = end
        elif mode == GenerationMode.EXTEND:
            # The service checks the id; what was sent goes to it as sent.
            fields["extends"] = int(extends) if extends.isdigit() else (extends or None)
            # An extension keeps its video's size and shape (the service takes them).
            fields.pop("resolution", None)
            fields.pop("aspect_ratio", None)
        elif mode == GenerationMode.STORYBOARD:
            fields.pop("prompt", None)
            fields.pop("duration_seconds", None)
            fields["shots"] = [
                {"prompt": prompt, "duration_seconds": duration, SHOT_FILE: image}
                for prompt, duration, image in self._shots_sent()
            ]
        return fields

    def refusal(self, error: DomainError | ValidationError) -> None:
        """Show a service's refusal on the form, a shot's field errors (``shots[1].prompt``)
        on that shot's field; the storyboard's own (``shots``) above the form."""
        if isinstance(error, DomainError) and error.field:  # a refused shot prompt
            match = SHOT_ERROR.fullmatch(error.field)
            if match and shot_field(int(match[1]), match[2]) in self.fields:
                self.add_error(shot_field(int(match[1]), match[2]), error.message)
                return
        if isinstance(error, ValidationError) and hasattr(error, "error_dict"):
            renamed: dict[str, list[ValidationError]] = {}
            for name, errors in error.error_dict.items():
                match = SHOT_ERROR.fullmatch(name)
                target = shot_field(int(match[1]), match[2]) if match else name
                if target not in self.fields:
                    target = name
                renamed.setdefault(target, []).extend(errors)
            error = ValidationError(renamed)
        refusal_to_form(self, error)

    def _normalised(self, field: str, *, required: bool) -> str:
        try:
            return normalise_prompt(
                self.cleaned_data.get(field) or "", field=field, required=required
            )
        except forms.ValidationError as error:
            raise forms.ValidationError(error.error_dict[field]) from None

    def clean_prompt(self) -> str:
        mode = self.cleaned_data.get("mode") or GenerationMode.TEXT.value
        # A storyboard's prompts are its shots'; an extension's is its video's if none.
        required = mode in (GenerationMode.TEXT, GenerationMode.IMAGE)
        if mode == GenerationMode.STORYBOARD:
            return self.cleaned_data.get("prompt") or ""
        return self._normalised("prompt", required=required)

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
