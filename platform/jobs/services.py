"""Writes about jobs from the web side: submit, cancel, stop (the kill switches), reap."""

from __future__ import annotations

import hashlib
import json
import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.permissions import CREATE_GENERATIONS, REVIEW_OUTPUTS
from agreements.errors import AgreementRequired
from agreements.selectors import agreement_status
from containment.services import submission_observe
from containment.switches import global_switch
from domain.errors import InvalidTransition, NotAllowed
from generation.geometry import ASPECT_RATIOS, Geometry, ModelProfile, frames_for, geometry_for
from generation.registry import (
    CAPABILITY_START_END_IMAGE,
    CAPABILITY_START_IMAGE,
    CAPABILITY_TEXT,
)
from jobs.errors import (
    GenerationPaused,
    IdempotencyKeyReused,
    ModeNotAllowed,
    PromptRefused,
    QuotaExceeded,
)
from jobs.models import MAX_VARIATIONS, GenerationMode, Job, JobStatus, PromptRefusal, Shot
from jobs.modes import (
    ShotRequest,
    end_image_check,
    extends_check,
    extension_defaults,
    shots_check,
    variations_check,
)
from jobs.pipelines import model_spec
from jobs.policy import normalise_prompt, prompt_policy_check
from jobs.queue import job_publish, job_publish_on_commit
from jobs.selectors import quota_used_today, utc_day_bounds
from uploads.images import FIELD as UPLOAD_FIELD
from uploads.images import CleanImage, input_image_clean
from uploads.selectors import input_image_for
from uploads.services import input_image_discard, input_image_store, input_image_use

if TYPE_CHECKING:
    from cohorts.models import Cohort
    from uploads.models import InputImage

log = logging.getLogger(__name__)

MAX_SEED = 2**32 - 1


@dataclass(frozen=True)
class JobRequest:
    """Checked, normalised parameters of a submission."""

    prompt: str
    negative_prompt: str
    duration_seconds: int
    resolution: str
    aspect_ratio: str
    seed: int
    model: str
    mode: str = GenerationMode.TEXT
    # Mode image: an upload already stored (its id), or a file sent with the submission,
    # checked and re-encoded, to store once every other rule passed.
    start_image_id: int | None = None
    start_image_clean: CleanImage | None = None
    # Mode image, optional: the frame to end on (an upload id, or a checked file).
    end_image_id: int | None = None
    end_image_clean: CleanImage | None = None
    # 1-4 jobs of consecutive seeds from this one submission.
    variations: int = 1
    # Mode extend: the artist's finished job to continue.
    extends: Job | None = None
    # Mode storyboard: its shots, in order, and the model of each.
    shots: tuple[ShotRequest, ...] = ()
    shot_models: tuple[str, ...] = ()


# What each mode needs of its model (generation.registry capabilities). A storyboard's
# job model makes its text shots; a shot with a start image goes to a model that takes
# one. An extension is image to video from its parent's last frame.
MODE_CAPABILITY = {
    GenerationMode.TEXT.value: CAPABILITY_TEXT,
    GenerationMode.IMAGE.value: CAPABILITY_START_IMAGE,
    GenerationMode.EXTEND.value: CAPABILITY_START_IMAGE,
    GenerationMode.STORYBOARD.value: CAPABILITY_TEXT,
}


def default_model_for(mode: str, *, needed: str | None = None) -> str | None:
    """The model a submission of ``mode`` gets when it names none: the default model for
    text (and a storyboard's text shots), else the first enabled model
    (``VERNISSAGE_MODELS`` order) that can do it (``needed``: a capability other than
    the mode's, e.g. ending on an image); None when no enabled model can."""
    if mode in (GenerationMode.TEXT, GenerationMode.STORYBOARD) and needed is None:
        return str(settings.GENERATION_DEFAULT_MODEL)
    needed = needed or MODE_CAPABILITY.get(mode)
    for name in settings.GENERATION_ENABLED_MODELS:
        if needed in model_spec(name).capabilities:
            return str(name)
    return None


def modes_offered(*, cohort: Cohort | None) -> list[str]:
    """The modes ``cohort``'s artists may use now: allowed by the cohort, implemented, and
    served by an enabled model (what the create page offers)."""
    allowed = list(cohort.allowed_modes) if cohort is not None else []
    return [
        mode
        for mode in GenerationMode.values
        if mode in allowed and mode in MODE_CAPABILITY and default_model_for(mode) is not None
    ]


def _mode_check(artist: User, mode: object) -> str:
    """``mode`` as a known mode its cohort allows: a field error on ``mode`` for anything
    unknown, ModeNotAllowed (403) when the cohort does not allow it."""
    if not isinstance(mode, str) or mode not in GenerationMode.values:
        raise ValidationError(
            {
                "mode": ValidationError(
                    _("Choose one of %(modes)s.") % {"modes": ", ".join(MODE_CAPABILITY)},
                    code="invalid_choice",
                )
            }
        )
    cohort = artist.cohort
    if cohort is None or mode not in cohort.allowed_modes:
        raise ModeNotAllowed(
            _("Your cohort can't use %(mode)s.") % {"mode": GenerationMode(mode).label.lower()}
        )
    return mode


def job_request_validate(
    *,
    artist: User,
    prompt: str = "",
    negative_prompt: str = "",
    duration_seconds: int | None = None,
    resolution: str | None = None,
    aspect_ratio: str | None = None,
    seed: int | None = None,
    model: str | None = None,
    mode: str = GenerationMode.TEXT,
    start_image: int | None = None,
    start_image_file: UploadedFile | None = None,
    end_image: int | None = None,
    end_image_file: UploadedFile | None = None,
    variations: int = 1,
    extends: int | None = None,
    shots: list[dict[str, object]] | None = None,
) -> JobRequest:
    """Check every field against the artist's cohort and the enabled models. Raises one
    ValidationError carrying an error for each bad field, or ModeNotAllowed (403) for a
    mode the cohort does not allow.

    By mode: image needs a start image (``start_image``, an upload id of the artist's own,
    or ``start_image_file``, checked as an upload is but not stored: ``job_submit_once``
    stores it last) and may end on an end image the same way; extend names one of the
    artist's finished jobs (``extends``) and takes its prompt, length, size and frame
    rate unless given (a storyboard's last shot's prompt and length:
    ``jobs.modes.extension_defaults``); storyboard takes ``shots``
    (``jobs.modes.shots_check``) instead of a prompt and a duration. Any mode asks for
    1-4 ``variations``."""
    errors: dict[str, ValidationError] = {}
    checked_mode: str | None
    try:
        checked_mode = _mode_check(artist, mode)
    except ValidationError as error:
        errors["mode"] = error.error_dict["mode"][0]
        checked_mode = None
    cohort = artist.cohort

    def attempt(field: str, check: Callable[[], str]) -> str | None:
        try:
            return check()
        except ValidationError as error:
            errors[field] = error.error_dict[field][0] if hasattr(error, "error_dict") else error
            return None

    parent = None
    shot_requests: list[ShotRequest] = []
    if checked_mode is not None:
        parent = extends_check(errors, artist=artist, mode=checked_mode, extends=extends)
        shot_requests = shots_check(
            errors, artist=artist, cohort=cohort, mode=checked_mode, shots=shots
        )
    count = variations_check(errors, cohort=cohort, variations=variations)
    if parent is not None:  # the parent's settings, unless the artist changed them
        kept_prompt, kept_negative, kept_duration = extension_defaults(parent)
        prompt = prompt or kept_prompt
        negative_prompt = negative_prompt or kept_negative
        duration_seconds = duration_seconds or kept_duration
        for field, given, kept in (
            ("resolution", resolution, parent.resolution),
            ("aspect_ratio", aspect_ratio, parent.aspect_ratio),
        ):
            if given not in (None, "", kept):
                errors[field] = ValidationError(
                    _("An extension keeps its video's %(value)s, so the join has no seam.")
                    % {"value": kept},
                    code="must_match_parent",
                )
        resolution, aspect_ratio = parent.resolution, parent.aspect_ratio
    if checked_mode == GenerationMode.STORYBOARD:
        for name, value in (("prompt", prompt), ("duration_seconds", duration_seconds)):
            if value:
                errors[name] = ValidationError(
                    _("A storyboard takes this from its shots; leave it out."),
                    code="not_for_mode",
                )
        clean_prompt: str | None = " / ".join(shot.prompt for shot in shot_requests) or None
        duration_seconds = sum(shot.duration_seconds for shot in shot_requests)
    else:
        clean_prompt = attempt("prompt", lambda: normalise_prompt(prompt))
        allowed_durations = cohort.allowed_durations if cohort else []
        if duration_seconds not in allowed_durations:
            errors["duration_seconds"] = ValidationError(
                _("Choose one of %(durations)s seconds.")
                % {"durations": ", ".join(str(d) for d in allowed_durations)},
                code="not_allowed",
            )
    clean_negative = attempt(
        "negative_prompt",
        lambda: normalise_prompt(negative_prompt or "", field="negative_prompt", required=False),
    )
    allowed_resolutions = cohort.allowed_resolutions if cohort else []
    if resolution not in allowed_resolutions and "resolution" not in errors:
        errors["resolution"] = ValidationError(
            _("Choose one of %(resolutions)s.") % {"resolutions": ", ".join(allowed_resolutions)},
            code="not_allowed",
        )
    if aspect_ratio not in ASPECT_RATIOS and "aspect_ratio" not in errors:
        errors["aspect_ratio"] = ValidationError(
            _("Choose one of %(ratios)s.") % {"ratios": ", ".join(ASPECT_RATIOS)},
            code="invalid_choice",
        )
    if seed is None:
        seed = secrets.randbelow(MAX_SEED + 1 - (MAX_VARIATIONS - 1))
    elif (
        isinstance(seed, bool)
        or not isinstance(seed, int)
        or not 0 <= seed <= MAX_SEED - (count - 1)
    ):
        errors["seed"] = ValidationError(
            _("Use a whole number from 0 to %(max)s.") % {"max": MAX_SEED - (count - 1)},
            code="out_of_range",
        )
    model_name = None
    clean_image = clean_end = None
    shot_models: tuple[str, ...] = ()
    if checked_mode is not None:
        model_name = _model_check(
            errors,
            mode=checked_mode,
            model=model,
            ends_on_image=checked_mode == GenerationMode.IMAGE
            and (end_image is not None or end_image_file is not None),
        )
        clean_image = _start_image_check(
            errors,
            artist=artist,
            mode=checked_mode,
            start_image=start_image,
            upload=start_image_file,
        )
        clean_end = end_image_check(
            errors,
            artist=artist,
            mode=checked_mode,
            model=model_name,
            end_image=end_image,
            upload=end_image_file,
        )
        if model_name is not None and shot_requests:
            shot_models = _shot_models(errors, text_model=model_name, shots=shot_requests)
    if errors or clean_prompt is None or model_name is None or checked_mode is None:
        raise ValidationError(errors)
    assert duration_seconds is not None and resolution is not None and aspect_ratio is not None
    return JobRequest(
        prompt=clean_prompt,
        negative_prompt=clean_negative or "",
        duration_seconds=duration_seconds,
        resolution=resolution,
        aspect_ratio=aspect_ratio,
        seed=seed,
        model=shot_models[0] if shot_models else model_name,
        mode=checked_mode,
        start_image_id=start_image if clean_image is None else None,
        start_image_clean=clean_image,
        end_image_id=end_image if clean_end is None else None,
        end_image_clean=clean_end,
        variations=count,
        extends=parent,
        shots=tuple(shot_requests),
        shot_models=shot_models,
    )


def _shot_models(
    errors: dict[str, ValidationError], *, text_model: str, shots: list[ShotRequest]
) -> tuple[str, ...]:
    """The model of each shot: ``text_model``, or for a shot with a start image the first
    offered model that takes one (an error on that shot's start image if none does)."""
    image_model = default_model_for(GenerationMode.IMAGE)
    models: list[str] = []
    for index, shot in enumerate(shots):
        if shot.start_image_id is None and shot.start_image_clean is None:
            models.append(text_model)
        elif image_model is None:
            errors[f"shots[{index}].start_image"] = ValidationError(
                _("No model offered here starts from an image."), code="no_model"
            )
        else:
            models.append(image_model)
    return tuple(models)


def _model_check(
    errors: dict[str, ValidationError], *, mode: str, model: str | None, ends_on_image: bool
) -> str | None:
    """The model for ``mode``: ``model``, which must be enabled and able to do it, or
    the mode's default (for an image job with an end image, the first model that can
    end on one); None (and an error) otherwise. A named model that makes the mode but
    can't end on an image is returned: ``end_image_check`` refuses it on ``end_image``."""
    needed = CAPABILITY_START_END_IMAGE if ends_on_image else MODE_CAPABILITY[mode]
    model_name = model or default_model_for(mode, needed=needed if ends_on_image else None)
    if model_name is None and ends_on_image:
        errors["end_image"] = ValidationError(
            _("No model offered here ends a video on a given image; leave it out."),
            code="no_model",
        )
        return None
    if model_name is None:
        errors["mode"] = ValidationError(
            _("No model offered here makes %(mode)s.")
            % {"mode": GenerationMode(mode).label.lower()},
            code="no_model",
        )
        return None
    try:
        spec = model_spec(model_name)
    except KeyError:
        available = ", ".join(settings.GENERATION_ENABLED_MODELS)
        errors["model"] = ValidationError(
            _("Unknown model %(model_name)r; available: %(available)s.")
            % {"model_name": model_name, "available": available},
            code="unknown_model",
        )
        return None
    if needed not in spec.capabilities:
        if ends_on_image and MODE_CAPABILITY[mode] in spec.capabilities:
            # It makes the mode, only not to an end image: end_image_check says so there.
            return model_name
        able = [
            name
            for name in settings.GENERATION_ENABLED_MODELS
            if needed in model_spec(name).capabilities
        ]
        errors["model"] = ValidationError(
            _("%(model_name)s can't make %(mode)s; choose one of: %(able)s.")
            % {
                "model_name": model_name,
                "mode": GenerationMode(mode).label.lower(),
                "able": ", ".join(able) or "-",
            },
            code="mode_not_supported",
        )
        return None
    return model_name


def _start_image_check(
    errors: dict[str, ValidationError],
    *,
    artist: User,
    mode: str,
    start_image: int | None,
    upload: UploadedFile | None,
) -> CleanImage | None:
    """Mode image: exactly one of an upload id of the artist's own or a file (checked,
    returned cleaned); any other mode: neither. Errors go on ``start_image``."""
    if mode != GenerationMode.IMAGE:
        if start_image is not None or upload is not None:
            errors["start_image"] = ValidationError(
                _('Only image to video takes a start image (mode "image").'),
                code="not_for_mode",
            )
        return None
    if start_image is not None and upload is not None:
        errors["start_image"] = ValidationError(
            _("Send a file or an upload id, not both."), code="ambiguous"
        )
    elif upload is not None:
        try:
            return input_image_clean(upload)
        except ValidationError as error:
            errors["start_image"] = error.error_dict[UPLOAD_FIELD][0]
    elif start_image is None:
        errors["start_image"] = ValidationError(
            _("Give a start image: a file, or the id of an upload of yours."), code="required"
        )
    elif input_image_for(user=artist, image_id=start_image) is None:
        errors["start_image"] = ValidationError(_("No such upload of yours."), code="not_found")
    return None


def _check_may_generate(artist: User) -> None:
    if not artist.has_perm(CREATE_GENERATIONS):
        raise NotAllowed(_("Only artists in a cohort may generate videos."))
    switch = global_switch()
    if switch.paused:
        raise GenerationPaused(
            _("Generation is paused for everyone: %(reason)s") % {"reason": switch.reason}
        )
    if agreement_status(user=artist).required:
        raise AgreementRequired(_("Accept the current agreement before generating."))
    if artist.is_paused:
        raise GenerationPaused(
            "Generation is paused for your account"
            + (f": {artist.paused_reason}" if artist.paused_reason else ".")
        )
    cohort = artist.cohort
    if cohort is None:
        raise NotAllowed(_("Your account is not in a cohort."))
    if cohort.is_paused:
        raise GenerationPaused(
            f"Generation is paused for {cohort.name}"
            + (f": {cohort.paused_reason}" if cohort.paused_reason else ".")
        )


def job_submit(
    *,
    artist: User,
    prompt: str,
    negative_prompt: str = "",
    duration_seconds: int,
    resolution: str,
    aspect_ratio: str,
    seed: int | None = None,
    model: str | None = None,
    remix_of: Job | None = None,
    mode: str = GenerationMode.TEXT,
    start_image: int | None = None,
    start_image_file: UploadedFile | None = None,
    **inputs: object,
) -> Job:
    """Queue a generation after every rule passed, in this order: role, NDA, pause
    switches, the mode (ModeNotAllowed when the cohort does not allow it), field checks
    (ValidationError per field), prompt policy, today's quota. The message is published
    after commit. A refused prompt is recorded (PromptRefusal) and raises PromptRefused.
    Nothing is queued on any refusal, and a start image sent as a file is not kept."""
    job, _replayed = job_submit_once(
        artist=artist, idempotency_key="", prompt=prompt, negative_prompt=negative_prompt,
        duration_seconds=duration_seconds, resolution=resolution, aspect_ratio=aspect_ratio,
        seed=seed, model=model, remix_of=remix_of, mode=mode, start_image=start_image,
        start_image_file=start_image_file, **inputs,  # type: ignore[arg-type]
    )  # fmt: skip
    return job


IDEMPOTENCY_KEY_MAX = 100


def request_fingerprint(**fields: object) -> str:
    """What makes two submissions "the same request": the fields as the client sent them
    (before a random seed is chosen), in a canonical form."""
    # ASCII escapes: any string, even one the field checks will refuse (a lone surrogate).
    canonical = json.dumps(fields, sort_keys=True, default=str, ensure_ascii=True)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _replay(*, artist: User, idempotency_key: str, fingerprint: str) -> Job | None:
    if not idempotency_key:
        return None
    earlier = Job.objects.filter(artist=artist, idempotency_key=idempotency_key).first()
    if earlier is None:
        return None
    if earlier.request_fingerprint != fingerprint:
        raise IdempotencyKeyReused(
            _(
                "This idempotency key was already used for a different request; use a new "
                "key for a new generation."
            )
        )
    return earlier


def job_submit_once(
    *,
    artist: User,
    idempotency_key: str,
    prompt: str = "",
    negative_prompt: str = "",
    duration_seconds: int | None = None,
    resolution: str | None = None,
    aspect_ratio: str | None = None,
    seed: int | None = None,
    model: str | None = None,
    remix_of: Job | None = None,
    mode: str = GenerationMode.TEXT,
    start_image: int | None = None,
    start_image_file: UploadedFile | None = None,
    end_image: int | None = None,
    end_image_file: UploadedFile | None = None,
    variations: int = 1,
    extends: int | None = None,
    shots: list[dict[str, object]] | None = None,
) -> tuple[Job, bool]:
    """``job_submit`` that runs at most once per (artist, ``idempotency_key``): the same
    key with the same request returns the job it made and ``True`` (a replay: nothing is
    queued or counted again), the same key with another request raises
    IdempotencyKeyReused (409). An empty key never replays. With ``variations`` above 1
    the job returned is the first; the others name it (``Job.variation_of``)."""
    if len(idempotency_key) > IDEMPOTENCY_KEY_MAX or not idempotency_key.isprintable():
        raise ValidationError(
            {
                "idempotency_key": _("Use at most %(max)s printable characters.")
                % {"max": IDEMPOTENCY_KEY_MAX}
            }
        )
    # A text submission's fingerprint is what it was before modes existed.
    inputs: dict[str, object] = {}
    if mode != GenerationMode.TEXT:
        inputs["mode"] = mode
    if start_image is not None:
        inputs["start_image"] = start_image
    if start_image_file is not None:
        inputs["start_image_file"] = _upload_digest(start_image_file)
    if end_image is not None:
        inputs["end_image"] = end_image
    if end_image_file is not None:
        inputs["end_image_file"] = _upload_digest(end_image_file)
    if variations != 1:
        inputs["variations"] = variations
    if extends is not None:
        inputs["extends"] = extends
    if shots is not None:  # a shot's file by its content, as the start image's
        inputs["shots"] = [
            {k: _upload_digest(v) if isinstance(v, UploadedFile) else v for k, v in s.items()}
            if isinstance(s, dict)
            else s
            for s in shots
        ]
    fingerprint = request_fingerprint(
        prompt=prompt, negative_prompt=negative_prompt, duration_seconds=duration_seconds,
        resolution=resolution, aspect_ratio=aspect_ratio, seed=seed, model=model,
        remix_of=remix_of.pk if remix_of is not None else None, **inputs,
    )  # fmt: skip
    earlier = _replay(artist=artist, idempotency_key=idempotency_key, fingerprint=fingerprint)
    if earlier is not None:
        return earlier, True
    _check_may_generate(artist)
    # Every attempt counts towards the anomaly windows, refused or not: a leaked account
    # hammering its quota is exactly what they should see.
    if submission_observe(user=artist):
        artist.refresh_from_db()
        raise GenerationPaused(
            _("Generation is paused for your account: %(reason)s")
            % {"reason": artist.paused_reason}
        )
    request = job_request_validate(
        artist=artist,
        prompt=prompt,
        negative_prompt=negative_prompt,
        duration_seconds=duration_seconds,
        resolution=resolution,
        aspect_ratio=aspect_ratio,
        seed=seed,
        model=model,
        mode=mode,
        start_image=start_image,
        start_image_file=start_image_file,
        end_image=end_image,
        end_image_file=end_image_file,
        variations=variations,
        extends=extends,
        shots=shots,
    )
    # Each of a storyboard's prompts is checked, as a single prompt is, and a refusal
    # names the shot it was written in.
    prompts = [
        (f"shots[{index}].prompt", shot.prompt) for index, shot in enumerate(request.shots)
    ] or [("prompt", request.prompt)]
    for field, text in prompts:
        verdict = prompt_policy_check(text)
        if verdict is not None:
            PromptRefusal.objects.create(
                artist=artist, prompt=text, reason_code=verdict.code, message=verdict.message
            )
            raise PromptRefused(verdict.message, reason_code=verdict.code, field=field)
    spec = model_spec(request.model)
    geometry = _geometry(request, profile=spec.geometry_profile)
    # Images sent with the submission are stored last, and go again on a refusal.
    sent = [
        input_image_store(owner=artist, clean=clean) if clean is not None else None
        for clean in (
            request.start_image_clean,
            request.end_image_clean,
            *(shot.start_image_clean for shot in request.shots),
        )
    ]
    if any(shot.start_image_clean is not None for shot in request.shots):
        stored_shots = sent[2:]
        request = replace(
            request,
            shots=tuple(
                replace(shot, start_image_id=image.pk, start_image_clean=None)
                if image is not None
                else shot
                for shot, image in zip(request.shots, stored_shots, strict=True)
            ),
        )
    try:
        job, replayed = _job_create(
            artist=artist,
            request=request,
            spec_steps=spec.steps,
            spec_guidance=spec.guidance,
            geometry=geometry,
            remix_of=remix_of,
            idempotency_key=idempotency_key,
            fingerprint=fingerprint,
            start_image_id=sent[0].pk if sent[0] is not None else request.start_image_id,
            end_image_id=sent[1].pk if sent[1] is not None else request.end_image_id,
        )
    except BaseException:
        for image in sent:
            if image is not None:
                input_image_discard(image=image)
        raise
    if replayed:  # the same request, sent twice at once
        for image in sent:
            if image is not None:
                input_image_discard(image=image)
    return job, replayed


def _geometry(request: JobRequest, *, profile: ModelProfile) -> Geometry:
    """Frames and size: from the request and the model's profile; an extension renders at
    its parent's size and frame rate (no seam where they join); a storyboard's frames
    are its shots' together."""
    parent = request.extends
    if parent is not None:
        return Geometry(
            num_frames=frames_for(request.duration_seconds, parent.fps),
            height=parent.height,
            width=parent.width,
            fps=parent.fps,
        )
    geometry = geometry_for(
        duration_seconds=request.shots[0].duration_seconds
        if request.shots
        else request.duration_seconds,
        resolution=request.resolution,
        aspect_ratio=request.aspect_ratio,
        profile=profile,
    )
    if not request.shots:
        return geometry
    frames = sum(frames_for(shot.duration_seconds, geometry.fps) for shot in request.shots)
    return Geometry(
        num_frames=frames, height=geometry.height, width=geometry.width, fps=geometry.fps
    )


def _upload_digest(upload: UploadedFile) -> str:
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


def _job_create(
    *,
    artist: User,
    request: JobRequest,
    spec_steps: int,
    spec_guidance: float,
    geometry: Geometry,
    remix_of: Job | None,
    idempotency_key: str,
    fingerprint: str,
    start_image_id: int | None,
    end_image_id: int | None = None,
) -> tuple[Job, bool]:
    """The submission's one transaction: the artist's row lock, replay, quota (one per
    output: each variation counts), the input images marked used (locked: housekeeping
    can't expire them meanwhile), the jobs (a storyboard's with its shots), and their
    wake-ups after commit. Returns the first variation."""
    with transaction.atomic():
        # One submission at a time per artist, so two at once can't both take the last slot.
        locked = User.objects.select_for_update().filter(pk=artist.pk).first()
        # A suspension that committed while this request was on its way wins: without this
        # re-check a job could be queued just after its account was contained.
        if locked is None or locked.is_paused:
            raise GenerationPaused(_("Generation is paused for your account."))
        # The same key sent twice at once: the second waited for the lock above.
        earlier = _replay(artist=artist, idempotency_key=idempotency_key, fingerprint=fingerprint)
        if earlier is not None:
            return earlier, True
        cohort = artist.cohort
        assert cohort is not None
        used = quota_used_today(user=artist)
        if used + request.variations > cohort.daily_generation_quota:
            _start, resets_at = utc_day_bounds()
            left = max(0, cohort.daily_generation_quota - used)
            if left and request.variations > 1:
                message = _(
                    "You have %(left)s of %(quota)s generations left today; ask for at most "
                    "%(left)s variations. Your quota resets at %(time)s UTC."
                ) % {"left": left, "quota": cohort.daily_generation_quota,
                     "time": f"{resets_at:%H:%M}"}  # fmt: skip
            else:
                message = _(
                    "You've used all %(quota)s generations for today. "
                    "Your quota resets at %(time)s UTC."
                ) % {"quota": cohort.daily_generation_quota, "time": f"{resets_at:%H:%M}"}
            raise QuotaExceeded(message, resets_at=resets_at)
        start_image = _image_used(artist, start_image_id, field="start_image")
        end_image = _image_used(artist, end_image_id, field="end_image")
        shot_images = [
            _image_used(artist, shot.start_image_id, field=f"shots[{index}].start_image")
            for index, shot in enumerate(request.shots)
        ]
        first: Job | None = None
        for index in range(request.variations):
            job = Job.objects.create(
                artist=artist,
                cohort=cohort,
                remix_of=remix_of,
                prompt=request.prompt,
                negative_prompt=request.negative_prompt,
                duration_seconds=request.duration_seconds,
                resolution=request.resolution,
                aspect_ratio=request.aspect_ratio,
                seed=request.seed + index,
                model=request.model,
                mode=request.mode,
                start_image=start_image,
                end_image=end_image,
                extends=request.extends,
                variation_of=first,
                variation_index=index,
                variation_count=request.variations,
                num_frames=geometry.num_frames,
                width=geometry.width,
                height=geometry.height,
                fps=geometry.fps,
                steps=spec_steps,
                guidance=spec_guidance,
                max_attempts=settings.GENERATION_MAX_ATTEMPTS,
                # The key names the submission: kept on its first job only.
                idempotency_key=idempotency_key if first is None else "",
                request_fingerprint=fingerprint if idempotency_key and first is None else "",
            )
            Shot.objects.bulk_create(
                Shot(
                    job=job,
                    position=position,
                    prompt=shot.prompt,
                    duration_seconds=shot.duration_seconds,
                    num_frames=frames_for(shot.duration_seconds, geometry.fps),
                    start_image=shot_images[position],
                    model=request.shot_models[position],
                )
                for position, shot in enumerate(request.shots)
            )
            job_publish_on_commit(job_id=job.pk, model=job.model)
            first = first or job
    assert first is not None
    return first, False


def _image_used(artist: User, image_id: int | None, *, field: str) -> InputImage | None:
    """The artist's upload ``image_id`` marked used, for a job being made (in its
    transaction); a field error if it expired or went since the field checks."""
    if image_id is None:
        return None
    image = input_image_use(owner=artist, image_id=image_id)
    if image is None:
        raise ValidationError(
            {field: ValidationError(_("No such upload of yours."), code="not_found")}
        )
    return image


def job_cancel(*, job: Job, actor: User) -> Job:
    """Cancel a job. Queued: canceled at once. Running: the worker stops at the next
    denoising step. Cancelling twice is a no-op; a finished job can't be cancelled.

    Only the job's artist, or staff who review (``accounts.review_outputs``), may cancel:
    ``is_staff`` alone (an operator flag) is not enough."""
    if job.artist_id != actor.pk and not actor.has_perm(REVIEW_OUTPUTS):
        raise NotAllowed(_("You can only cancel your own jobs."))
    now = timezone.now()
    # Try the queued transition first; if a worker claimed it meanwhile, ask it to stop.
    if Job.objects.filter(pk=job.pk, status=JobStatus.QUEUED).update(
        status=JobStatus.CANCELED, cancel_requested_at=now, finished_at=now
    ):
        return Job.objects.get(pk=job.pk)
    Job.objects.filter(
        pk=job.pk, status=JobStatus.RUNNING, cancel_requested_at__isnull=True
    ).update(cancel_requested_at=now)
    job = Job.objects.get(pk=job.pk)
    if job.status in (JobStatus.SUCCEEDED, JobStatus.FAILED):
        raise InvalidTransition(
            _("This job already %(status)s; there is nothing to cancel.")
            % {"status": job.get_status_display().lower()}
        )
    return job


def jobs_stop_by_operator(
    *, artist: User | None = None, cohort: Cohort | None = None, everyone: bool = False
) -> int:
    """A kill switch stops jobs (containment.switches): running ones are asked to stop at
    their next step, queued ones are cancelled now. Their quota is refunded: the operator
    stopped them, not the artist. Name exactly one scope: one artist's jobs, one cohort's,
    or ``everyone``'s. Returns how many jobs were stopped."""
    if sum((artist is not None, cohort is not None, everyone)) != 1:
        raise ValueError("Name exactly one of artist, cohort or everyone.")
    jobs = Job.objects.all()
    if artist is not None:
        jobs = jobs.filter(artist=artist)
    elif cohort is not None:
        jobs = jobs.filter(cohort=cohort)
    now = timezone.now()
    queued = jobs.filter(status=JobStatus.QUEUED).update(
        status=JobStatus.CANCELED, cancel_requested_at=now, finished_at=now, quota_refunded=True
    )
    running = jobs.filter(status=JobStatus.RUNNING, cancel_requested_at__isnull=True).update(
        cancel_requested_at=now, quota_refunded=True
    )
    return queued + running


@dataclass(frozen=True)
class ReapReport:
    requeued: list[int]
    failed: list[int]
    canceled: list[int]
    republished: list[int]


def jobs_reap(*, now: datetime | None = None) -> ReapReport:
    """Recover jobs whose worker vanished: a running job whose lease expired is re-queued
    (its next claim fences the old worker out) or, after its last attempt, failed visibly
    with its quota refunded. Queued jobs whose message may be lost are published again."""
    moment = now or timezone.now()
    requeued: list[int] = []
    failed: list[int] = []
    canceled: list[int] = []
    with transaction.atomic():
        expired = (
            Job.objects.select_for_update(skip_locked=True)
            .filter(status=JobStatus.RUNNING, lease_expires_at__lt=moment)
            .order_by("pk")
        )
        for job in expired:
            base = Job.objects.filter(pk=job.pk, status=JobStatus.RUNNING, attempt=job.attempt)
            if job.cancel_requested_at is not None:
                base.update(status=JobStatus.CANCELED, finished_at=moment, lease_expires_at=None)
                canceled.append(job.pk)
            elif job.attempt >= job.max_attempts:
                base.update(
                    status=JobStatus.FAILED,
                    finished_at=moment,
                    lease_expires_at=None,
                    error_code="worker_lost",
                    error_message=(
                        f"The machine making your video stopped {job.attempt} times, so we gave "
                        "up. This didn't count against your daily quota."
                    ),
                    quota_refunded=True,
                )
                failed.append(job.pk)
            else:
                base.update(
                    status=JobStatus.QUEUED,
                    lease_expires_at=None,
                    worker="",
                    progress=0.0,
                    published_to_queue_at=None,
                )
                requeued.append(job.pk)
    for pk in requeued:
        job_publish(job_id=pk)
    republish_before = moment - timedelta(seconds=settings.GENERATION_REPUBLISH_AFTER_SECONDS)
    stale = (
        Job.objects.filter(status=JobStatus.QUEUED)
        .filter(
            # Never published (broker down at submit; a grace period covers on_commit),
            # or published so long ago that the message is presumed lost.
            Q(published_to_queue_at__isnull=True, created_at__lt=moment - timedelta(seconds=30))
            | Q(published_to_queue_at__lt=republish_before)
        )
        .exclude(pk__in=requeued)
        .order_by("pk")
    )
    republished = [pk for pk in stale.values_list("pk", flat=True)[:500] if job_publish(job_id=pk)]
    if requeued or failed or canceled or republished:
        log.warning(
            "reaper: requeued %s failed %s canceled %s republished %s",
            requeued, failed, canceled, republished,
        )  # fmt: skip
    return ReapReport(requeued=requeued, failed=failed, canceled=canceled, republished=republished)
