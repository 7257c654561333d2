"""Writes about cohorts."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.permissions import RUN_PROGRAM, require
from audit.services import audit_record
from cohorts.models import Cohort
from cohorts.options import (
    DownloadPolicy,
    default_durations,
    default_modes,
    default_resolutions,
    validate_modes,
)
from cohorts.selectors import cohort_seats_taken
from domain.text import clean_text

if TYPE_CHECKING:
    from accounts.models import User


# Anyone but a program admin is refused; no actor is the system itself (a management
# command, the operator's shell): full authority, hence missing="system" below.
_ONLY_ADMINS = "Only program admins may manage cohorts."


@transaction.atomic
def cohort_create(
    *,
    actor: User | None,
    name: str,
    capacity: int,
    daily_generation_quota: int = 20,
    allowed_durations: list[int] | None = None,
    allowed_resolutions: list[str] | None = None,
    allowed_modes: list[str] | None = None,
    review_sla_hours: int = 48,
    download_policy: str = DownloadPolicy.AFTER_APPROVAL,
) -> Cohort:
    """Create a cohort. Raises ValidationError (per field) for bad values."""
    require(actor=actor, perm=RUN_PROGRAM, missing="system", message=_ONLY_ADMINS)
    cohort = Cohort(
        name=clean_text(name, field="name", max_length=100),
        capacity=capacity,
        daily_generation_quota=daily_generation_quota,
        allowed_durations=allowed_durations
        if allowed_durations is not None
        else default_durations(),
        allowed_resolutions=(
            allowed_resolutions if allowed_resolutions is not None else default_resolutions()
        ),
        allowed_modes=allowed_modes if allowed_modes is not None else default_modes(),
        review_sla_hours=review_sla_hours,
        download_policy=download_policy,
    )
    cohort.full_clean()
    cohort.save()
    return cohort


def cohort_set_paused(
    *, actor: User | None, cohort: Cohort, paused: bool, reason: str = ""
) -> Cohort:
    """Pause or resume a whole cohort. Pausing twice is a no-op."""
    require(actor=actor, perm=RUN_PROGRAM, missing="system", message=_ONLY_ADMINS)
    reason = clean_text(
        reason if paused else "",
        field="paused_reason",
        max_length=300,
        required=paused,
        required_message="Say why the cohort is paused; artists see it.",
    )
    cohort.is_paused = paused
    cohort.paused_reason = reason
    cohort.save(update_fields=["is_paused", "paused_reason"])
    audit_record(
        actor=actor, action="cohort.pause" if paused else "cohort.resume", target=cohort,
        data={"reason": cohort.paused_reason},
    )  # fmt: skip
    return cohort


@transaction.atomic
def cohort_set_download_policy(*, actor: User | None, cohort: Cohort, policy: str) -> Cohort:
    """Say when the cohort's artists may download their own outputs (``DownloadPolicy``).
    It applies at once, to links already handed out too (``publishing.downloads``).
    Raises ValidationError on ``download_policy`` for a value that is not a policy;
    setting the current policy again is a no-op."""
    require(actor=actor, perm=RUN_PROGRAM, missing="system", message=_ONLY_ADMINS)
    if policy not in DownloadPolicy.values:
        raise ValidationError(
            {
                "download_policy": ValidationError(
                    _("Choose one of: %(choices)s.")
                    % {"choices": ", ".join(DownloadPolicy.values)},
                    code="invalid_choice",
                )
            }
        )
    previous = cohort.download_policy
    if previous == policy:
        return cohort
    cohort.download_policy = policy
    cohort.save(update_fields=["download_policy"])
    cohort_download_policy_record(actor=actor, cohort=cohort, previous=previous)
    return cohort


def cohort_download_policy_record(*, actor: User | None, cohort: Cohort, previous: str) -> None:
    """Audit a change of ``download_policy`` already saved (by the service, or the admin's
    form): who changed it, from what, to what."""
    audit_record(
        actor=actor, action="cohort.download_policy", target=cohort,
        data={"from": previous, "to": cohort.download_policy},
    )  # fmt: skip


# What a cohort's artists may ask of generation beyond durations and sizes (issue 17).
GENERATION_RULES = ("allowed_modes", "max_variations", "max_shots")


def cohort_generation_rules_record(
    *, actor: User | None, cohort: Cohort, previous: Mapping[str, object]
) -> None:
    """Audit a change of the cohort's generation rules already saved (the admin's form):
    each changed rule, from what, to what."""
    audit_record(
        actor=actor, action="cohort.generation_rules", target=cohort,
        data={
            field: {"from": previous[field], "to": getattr(cohort, field)}
            for field in previous
        },
    )  # fmt: skip


@transaction.atomic
def cohort_set_generation_limits(
    *, actor: User | None, cohort: Cohort, max_variations: int, max_shots: int
) -> Cohort:
    """How many variations one submission and how many shots one storyboard may have.
    Raises ValidationError per field (1-4 variations, 2-6 shots). Audited."""
    require(actor=actor, perm=RUN_PROGRAM, missing="system", message=_ONLY_ADMINS)
    previous = {"max_variations": cohort.max_variations, "max_shots": cohort.max_shots}
    cohort.max_variations, cohort.max_shots = max_variations, max_shots
    try:
        cohort.full_clean(validate_unique=False, validate_constraints=False)
    except ValidationError as error:
        cohort.max_variations = int(previous["max_variations"])
        cohort.max_shots = int(previous["max_shots"])
        raise ValidationError(
            {k: v for k, v in error.message_dict.items() if k in previous} or error.message_dict
        ) from None
    changed = {k: v for k, v in previous.items() if getattr(cohort, k) != v}
    if changed:
        cohort.save(update_fields=list(changed))
        cohort_generation_rules_record(actor=actor, cohort=cohort, previous=changed)
    return cohort


@transaction.atomic
def cohort_set_allowed_modes(*, actor: User | None, cohort: Cohort, modes: list[str]) -> Cohort:
    """Say which generation modes the cohort's artists may use (``GenerationMode``; only
    the implemented ones). Applies to the next submission. Raises ValidationError on
    ``allowed_modes``; setting the same list again is a no-op. Audited."""
    require(actor=actor, perm=RUN_PROGRAM, missing="system", message=_ONLY_ADMINS)
    try:
        validate_modes(modes)
    except ValidationError as error:
        raise ValidationError({"allowed_modes": error}) from None
    previous = list(cohort.allowed_modes)
    if previous == modes:
        return cohort
    cohort.allowed_modes = list(modes)
    cohort.save(update_fields=["allowed_modes"])
    audit_record(
        actor=actor, action="cohort.allowed_modes", target=cohort,
        data={"from": previous, "to": cohort.allowed_modes},
    )  # fmt: skip
    return cohort


# The cohort's caps and offer (issue 18): what ``cohort_update_limits`` sets.
LIMITS = (
    "capacity",
    "daily_generation_quota",
    "review_sla_hours",
    "scheduling_weight",
    "allowed_durations",
    "allowed_resolutions",
    "visible_watermark",
)


@transaction.atomic
def cohort_update_limits(
    *,
    actor: User | None,
    cohort: Cohort,
    capacity: int,
    daily_generation_quota: int,
    review_sla_hours: int,
    scheduling_weight: int,
    allowed_durations: list[int],
    allowed_resolutions: list[str],
    visible_watermark: bool,
) -> Cohort:
    """Set the cohort's seats, daily quota, review SLA, GPU share, offered durations and
    resolutions, and visible watermark. Raises ValidationError per field (the model's
    validators; a capacity below the seats already taken) and changes nothing then;
    unchanged values are a no-op. Audited: each changed field, from what, to what.

    The cohort row is locked while the seats are counted, as ``invitation_accept`` locks
    it to take a seat: a seat taken meanwhile can't slip under the new capacity."""
    require(actor=actor, perm=RUN_PROGRAM, missing="system", message=_ONLY_ADMINS)
    locked = Cohort.objects.select_for_update().get(pk=cohort.pk)
    wanted: dict[str, object] = {
        "capacity": capacity,
        "daily_generation_quota": daily_generation_quota,
        "review_sla_hours": review_sla_hours,
        "scheduling_weight": scheduling_weight,
        "allowed_durations": list(allowed_durations),
        "allowed_resolutions": list(allowed_resolutions),
        "visible_watermark": visible_watermark,
    }
    previous = {field: getattr(locked, field) for field in LIMITS}
    for field, value in wanted.items():
        setattr(locked, field, value)
    errors: dict[str, list[str]] = {}
    try:
        locked.full_clean(validate_unique=False, validate_constraints=False)
    except ValidationError as error:
        errors = {k: v for k, v in error.message_dict.items() if k in wanted}
    taken = cohort_seats_taken(cohort=locked)
    if "capacity" not in errors and isinstance(capacity, int) and capacity < taken:
        errors["capacity"] = [
            f"{taken} artists already hold a seat; the capacity can't be below that."
        ]
    if errors:
        raise ValidationError(errors)
    changed = {k: v for k, v in previous.items() if getattr(locked, k) != v}
    if changed:
        locked.save(update_fields=list(changed))
        audit_record(
            actor=actor, action="cohort.limits", target=locked,
            data={k: {"from": v, "to": getattr(locked, k)} for k, v in changed.items()},
        )  # fmt: skip
    for field in LIMITS:
        setattr(cohort, field, getattr(locked, field))
    return cohort


@transaction.atomic
def cohort_set_second_opinion_share(*, actor: User | None, cohort: Cohort, share: int) -> Cohort:
    """The percent of the cohort's first-review approvals sent blind to a second reviewer
    (0 to 100; 0 sends none; decision 0036). Applies to the next approval. Raises
    ValidationError on ``second_opinion_share``; the same value again is a no-op. Audited."""
    require(actor=actor, perm=RUN_PROGRAM, missing="system", message=_ONLY_ADMINS)
    if not isinstance(share, int) or not 0 <= share <= 100:
        raise ValidationError(
            {
                "second_opinion_share": ValidationError(
                    _("Give a whole percent from 0 to 100."), code="invalid"
                )
            }
        )
    previous = cohort.second_opinion_share
    if previous == share:
        return cohort
    cohort.second_opinion_share = share
    cohort.save(update_fields=["second_opinion_share"])
    audit_record(
        actor=actor, action="cohort.second_opinion_share", target=cohort,
        data={"from": previous, "to": share},
    )  # fmt: skip
    return cohort


def cohort_update_settings(
    *,
    actor: User | None,
    cohort: Cohort,
    capacity: int,
    daily_generation_quota: int,
    review_sla_hours: int,
    scheduling_weight: int,
    allowed_durations: list[int],
    allowed_resolutions: list[str],
    visible_watermark: bool,
    allowed_modes: list[str],
    max_variations: int,
    max_shots: int,
    download_policy: str,
    second_opinion_share: int | None = None,
) -> Cohort:
    """Everything the program page edits at once, each part through its own service (each
    audits its own change). All or nothing: every refusal is collected, raised as one
    ValidationError per field, and nothing is saved then (``cohort`` is read again)."""
    require(actor=actor, perm=RUN_PROGRAM, missing="system", message=_ONLY_ADMINS)
    steps = [
        lambda: cohort_update_limits(
            actor=actor, cohort=cohort, capacity=capacity,
            daily_generation_quota=daily_generation_quota, review_sla_hours=review_sla_hours,
            scheduling_weight=scheduling_weight, allowed_durations=allowed_durations,
            allowed_resolutions=allowed_resolutions, visible_watermark=visible_watermark,
        ),
        lambda: cohort_set_allowed_modes(actor=actor, cohort=cohort, modes=allowed_modes),
        lambda: cohort_set_generation_limits(
            actor=actor, cohort=cohort, max_variations=max_variations, max_shots=max_shots
        ),
        lambda: cohort_set_download_policy(actor=actor, cohort=cohort, policy=download_policy),
    ]  # fmt: skip
    if second_opinion_share is not None:  # None: left as it is
        steps.append(
            lambda: cohort_set_second_opinion_share(
                actor=actor, cohort=cohort, share=second_opinion_share
            )
        )
    try:
        with transaction.atomic():
            errors: dict[str, list[str]] = {}
            for step in steps:
                try:
                    with transaction.atomic():
                        step()
                except ValidationError as error:
                    for field, messages in error.message_dict.items():
                        errors.setdefault(field, []).extend(messages)
            if errors:
                raise ValidationError(errors)
    except ValidationError:
        cohort.refresh_from_db()
        raise
    return cohort
