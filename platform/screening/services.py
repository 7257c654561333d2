"""Pre-screening an output: run the frame classifier (CPU, no database), then record the
result with the output in the worker's success transaction (decision 0035).

The classifier never approves or rejects: its flags and risk score order and mark the
review queue, and a reviewer decides. A classifier that raises or takes longer than
``SCREEN_TIMEOUT_SECONDS`` leaves the item unflagged, marked "not screened".
"""

from __future__ import annotations

import logging
import time
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.utils.module_loading import import_string

from audit.services import audit_record
from screening.models import Screening, ScreeningStatus

if TYPE_CHECKING:
    import numpy as np
    from django.db import models

logger = logging.getLogger(__name__)

PROMPT_FLAG_PREFIX = "prompt:"
ERROR_MAX_LENGTH = 500


@dataclass(frozen=True)
class ScreenResult:
    status: str
    classifier: str
    flags: list[str] = field(default_factory=list)
    risk_score: int = 0
    scores: dict[str, float] = field(default_factory=dict)
    prompt_code: str = ""
    frames: int = 0
    error: str = ""
    duration_ms: int = 0

    @property
    def flagged(self) -> bool:
        return bool(self.flags)

    @property
    def not_screened(self) -> bool:
        return self.status == ScreeningStatus.NOT_SCREENED


def _classify(frames: np.ndarray) -> Any:
    classifier = import_string(settings.SCREEN_CLASSIFIER)
    # One thread, not a pool per call: a classifier that hangs is left behind, not waited on.
    executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="screening")
    try:
        return executor.submit(classifier, frames).result(timeout=settings.SCREEN_TIMEOUT_SECONDS)
    finally:
        executor.shutdown(wait=False, cancel_futures=True)


def screen_frames(*, frames: np.ndarray, prompt_code: str = "") -> ScreenResult:
    """The pre-screen of an output's ``frames`` (``(N, H, W, 3)`` uint8 RGB), joined with
    the prompt policy's verdict (``prompt_code``: the rule that matches the job's prompt
    now, or ""). CPU work: call it outside any transaction. Never raises for the
    classifier's sake: a failure is a ``not_screened`` result with the error's text."""
    started = time.perf_counter()
    flags = [f"{PROMPT_FLAG_PREFIX}{prompt_code}"] if prompt_code else []
    risk = 100 if prompt_code else 0
    name = settings.SCREEN_CLASSIFIER or "none"
    if not settings.SCREEN_CLASSIFIER:
        return ScreenResult(
            status=ScreeningStatus.NOT_SCREENED, classifier="none", flags=flags,
            risk_score=risk, prompt_code=prompt_code, error="No classifier is configured.",
        )  # fmt: skip
    try:
        seen = _classify(frames)
        scores = {str(label): float(score) for label, score in dict(seen.scores).items()}
        name = str(seen.classifier)[:100]
        frame_count = int(seen.frames)
    except FutureTimeout:
        error = f"No answer within {settings.SCREEN_TIMEOUT_SECONDS} s."
        return _not_screened(name, error, flags, risk, prompt_code, started)
    except Exception as exc:  # any failure of a pluggable classifier: review unflagged
        logger.warning("pre-screen failed: %s", exc, exc_info=True)
        error = f"{type(exc).__name__}: {exc}"
        return _not_screened(name, error, flags, risk, prompt_code, started)
    threshold = settings.SCREEN_FLAG_THRESHOLD / 100
    watched = {
        label: score for label, score in scores.items() if label in settings.SCREEN_FLAG_LABELS
    }
    flags = sorted(label for label, score in watched.items() if score >= threshold) + flags
    if watched:
        risk = max(risk, round(100 * max(watched.values())))
    return ScreenResult(
        status=ScreeningStatus.SCREENED, classifier=name, flags=flags,
        risk_score=min(100, max(0, risk)), scores=scores, prompt_code=prompt_code,
        frames=frame_count, duration_ms=_elapsed_ms(started),
    )  # fmt: skip


def _elapsed_ms(started: float) -> int:
    return round((time.perf_counter() - started) * 1000)


def _not_screened(
    name: str, error: str, flags: list[str], risk: int, prompt_code: str, started: float
) -> ScreenResult:
    return ScreenResult(
        status=ScreeningStatus.NOT_SCREENED, classifier=name[:100], flags=flags,
        risk_score=risk, prompt_code=prompt_code, error=error[:ERROR_MAX_LENGTH],
        duration_ms=_elapsed_ms(started),
    )  # fmt: skip


def screening_record(*, output: models.Model, result: ScreenResult) -> Screening:
    """Store ``result`` for ``output`` and append it to the audit trail. Call inside the
    transaction that stores the output (the worker's success transaction), last."""
    screening = Screening.objects.create(
        output_id=output.pk,
        status=result.status,
        flagged=result.flagged,
        risk_score=result.risk_score,
        flags=result.flags,
        scores=result.scores,
        classifier=result.classifier,
        prompt_code=result.prompt_code,
        frames=result.frames,
        error=result.error,
        duration_ms=result.duration_ms,
    )
    audit_record(
        actor=None,
        action="screening.screened"
        if result.status == ScreeningStatus.SCREENED
        else "screening.not_screened",
        target=output,
        data={
            "screening_id": screening.pk,
            "classifier": result.classifier,
            "flags": result.flags,
            "risk_score": result.risk_score,
            "scores": result.scores,
            "error": result.error,
            "duration_ms": result.duration_ms,
        },
    )
    return screening
