"""The inputs each generation mode takes beyond the prompt (issue 17; decisions 0033,
0034), checked field by field: the end image (mode image), the output an extend
continues, a storyboard's shots, and how many variations a submission asks for.

Each check adds its field errors to the caller's ``errors`` dict (one key per field, as
the API and the form show them; a shot's fields as ``shots[1].prompt``) and returns what
it checked, so ``jobs.services.job_request_validate`` reports every bad field at once.
Nothing here writes: uploads named by id are only looked up, files only checked."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

from accounts.models import User
from generation.registry import CAPABILITY_START_END_IMAGE
from jobs.models import MAX_SHOTS, MAX_VARIATIONS, MIN_SHOTS, GenerationMode, Job, JobStatus
from jobs.pipelines import model_spec
from jobs.policy import normalise_prompt
from uploads.images import FIELD as UPLOAD_FIELD
from uploads.images import CleanImage, input_image_clean
from uploads.selectors import input_image_for

if TYPE_CHECKING:
    from cohorts.models import Cohort

Errors = dict[str, ValidationError]


@dataclass(frozen=True)
class ShotRequest:
    """One checked shot of a storyboard."""

    prompt: str
    duration_seconds: int
    start_image_id: int | None = None
    # A start image sent as a file with the submission (the portal's form): checked here,
    # stored by ``jobs.services.job_submit_once`` once every other rule passed.
    start_image_clean: CleanImage | None = field(default=None, compare=False)


def _error(errors: Errors, field: str, message: str, code: str) -> None:
    errors[field] = ValidationError(message, code=code)


def variations_check(errors: Errors, *, cohort: Cohort | None, variations: object) -> int:
    """1 to ``MAX_VARIATIONS``, and no more than the cohort allows."""
    limit = cohort.max_variations if cohort is not None else 1
    if isinstance(variations, bool) or not isinstance(variations, int):
        _error(errors, "variations", _("Give a whole number of variations."), "invalid")
        return 1
    if not 1 <= variations <= MAX_VARIATIONS:
        _error(
            errors,
            "variations",
            _("Ask for 1 to %(max)s variations.") % {"max": MAX_VARIATIONS},
            "out_of_range",
        )
        return 1
    if variations > limit:
        _error(
            errors,
            "variations",
            _("Your cohort allows at most %(limit)s variations per submission.") % {"limit": limit},
            "above_cohort_limit",
        )
        return 1
    return variations


def end_image_check(
    errors: Errors,
    *,
    artist: User,
    mode: str,
    model: str | None,
    end_image: int | None,
    upload: UploadedFile | None,
) -> CleanImage | None:
    """Mode image only, optional: an upload id of the artist's own or a file (checked and
    returned cleaned), for a model that can end on an image. Errors go on ``end_image``."""
    if end_image is None and upload is None:
        return None
    if mode != GenerationMode.IMAGE:
        _error(
            errors,
            "end_image",
            _('Only image to video takes an end image (mode "image").'),
            "not_for_mode",
        )
        return None
    if model is not None and CAPABILITY_START_END_IMAGE not in model_spec(model).capabilities:
        _error(
            errors,
            "end_image",
            _("%(model)s can't end on a given image; choose a model that can, or leave it out.")
            % {"model": model},
            "mode_not_supported",
        )
        return None
    if end_image is not None and upload is not None:
        _error(errors, "end_image", _("Send a file or an upload id, not both."), "ambiguous")
        return None
    if upload is not None:
        try:
            return input_image_clean(upload)
        except ValidationError as error:
            errors["end_image"] = error.error_dict[UPLOAD_FIELD][0]
            return None
    assert end_image is not None
    if input_image_for(user=artist, image_id=end_image) is None:
        _error(errors, "end_image", _("No such upload of yours."), "not_found")
    return None


def extends_check(errors: Errors, *, artist: User, mode: str, extends: object) -> Job | None:
    """Mode extend: the id of one of the artist's own finished videos (any other mode: none).
    Errors go on ``extends``; someone else's job reads as unknown, as everywhere."""
    if mode != GenerationMode.EXTEND:
        if extends is not None:
            _error(
                errors,
                "extends",
                _('Only an extension continues a video (mode "extend").'),
                "not_for_mode",
            )
        return None
    if extends is None:
        _error(errors, "extends", _("Name the video of yours to continue."), "required")
        return None
    if isinstance(extends, bool) or not isinstance(extends, int):
        _error(errors, "extends", _("Give the id of a video of yours."), "invalid")
        return None
    parent = (
        Job.objects.filter(pk=extends, artist=artist, status=JobStatus.SUCCEEDED)
        .select_related("output")
        .first()
    )
    if parent is None or not hasattr(parent, "output"):
        _error(
            errors,
            "extends",
            _("No finished video of yours has this id."),
            "not_found",
        )
        return None
    return parent


def extension_defaults(parent: Job) -> tuple[str, str, int]:
    """What an extension of ``parent`` says and lasts unless the artist changes it: the
    prompt, negative prompt and length of its video, or for a storyboard those of its last
    shot, the one it continues (the board's own length, its shots' together, is no clip
    length a cohort offers, and its prompts joined may be longer than one prompt may be)."""
    if parent.mode == GenerationMode.STORYBOARD:
        last = parent.shots.order_by("-position").first()
        if last is not None:
            return last.prompt, parent.negative_prompt, last.duration_seconds
    return parent.prompt, parent.negative_prompt, parent.duration_seconds


def shots_check(
    errors: Errors, *, artist: User, cohort: Cohort | None, mode: str, shots: object
) -> list[ShotRequest]:
    """Mode storyboard: 2 to ``MAX_SHOTS`` shots (no more than the cohort allows), each a
    prompt, an allowed duration and optionally the id of an upload of the artist's own as
    its start image. Errors go on ``shots`` (the list) or ``shots[i].<field>``."""
    if mode != GenerationMode.STORYBOARD:
        if shots:
            _error(
                errors,
                "shots",
                _('Only a storyboard has shots (mode "storyboard").'),
                "not_for_mode",
            )
        return []
    if shots is None or shots == []:
        _error(
            errors,
            "shots",
            _("A storyboard needs %(min)s to %(max)s shots.")
            % {"min": MIN_SHOTS, "max": MAX_SHOTS},
            "required",
        )
        return []
    if not isinstance(shots, list | tuple) or not all(isinstance(s, dict) for s in shots):
        _error(errors, "shots", _("Give the shots as a list of objects."), "invalid")
        return []
    limit = min(MAX_SHOTS, cohort.max_shots if cohort is not None else MAX_SHOTS)
    if not MIN_SHOTS <= len(shots) <= MAX_SHOTS:
        _error(
            errors,
            "shots",
            _("A storyboard has %(min)s to %(max)s shots; this one has %(count)s.")
            % {"min": MIN_SHOTS, "max": MAX_SHOTS, "count": len(shots)},
            "out_of_range",
        )
        return []
    if len(shots) > limit:
        _error(
            errors,
            "shots",
            _("Your cohort allows at most %(limit)s shots in a storyboard.") % {"limit": limit},
            "above_cohort_limit",
        )
        return []
    durations = list(cohort.allowed_durations) if cohort is not None else []
    checked: list[ShotRequest] = []
    for index, shot in enumerate(shots):
        one = _shot_check(errors, artist=artist, index=index, shot=shot, durations=durations)
        if one is not None:
            checked.append(one)
    return checked if len(checked) == len(shots) else []


SHOT_FIELDS = frozenset({"prompt", "duration_seconds", "start_image"})
# What a caller in the same process may add to a shot (the portal's form): a file.
SHOT_FILE = "start_image_file"


def _shot_check(
    errors: Errors, *, artist: User, index: int, shot: dict[str, Any], durations: list[int]
) -> ShotRequest | None:
    where = f"shots[{index}]"
    ok = True
    unknown = sorted(set(shot) - SHOT_FIELDS - {SHOT_FILE})
    if unknown:
        _error(
            errors,
            where,
            _("Unknown field(s) %(fields)s; a shot has prompt, duration_seconds, start_image.")
            % {"fields": ", ".join(unknown)},
            "unknown_field",
        )
        ok = False
    prompt = shot.get("prompt")
    clean_prompt = ""
    if not isinstance(prompt, str):
        _error(errors, f"{where}.prompt", _("Describe the shot."), "required")
        ok = False
    else:
        try:
            clean_prompt = normalise_prompt(prompt, field="prompt")
        except ValidationError as error:
            errors[f"{where}.prompt"] = error.error_dict["prompt"][0]
            ok = False
    duration = shot.get("duration_seconds")
    if isinstance(duration, bool) or duration not in durations:
        _error(
            errors,
            f"{where}.duration_seconds",
            _("Choose one of %(durations)s seconds.")
            % {"durations": ", ".join(str(d) for d in durations)},
            "not_allowed",
        )
        ok = False
    image_id = shot.get("start_image")
    upload = shot.get(SHOT_FILE)
    clean_image = None
    if upload is not None and image_id is not None:
        _error(
            errors, f"{where}.start_image", _("Send a file or an upload id, not both."), "ambiguous"
        )
        ok = False
    elif upload is not None:
        try:
            clean_image = input_image_clean(upload)
        except ValidationError as error:
            errors[f"{where}.start_image"] = error.error_dict[UPLOAD_FIELD][0]
            ok = False
    elif image_id is not None:
        if isinstance(image_id, bool) or not isinstance(image_id, int):
            _error(
                errors, f"{where}.start_image", _("Give the id of an upload of yours."), "invalid"
            )
            ok = False
        elif input_image_for(user=artist, image_id=image_id) is None:
            _error(errors, f"{where}.start_image", _("No such upload of yours."), "not_found")
            ok = False
    if not ok:
        return None
    assert isinstance(duration, int)
    return ShotRequest(
        prompt=clean_prompt,
        duration_seconds=duration,
        start_image_id=image_id if isinstance(image_id, int) else None,
        start_image_clean=clean_image,
    )
