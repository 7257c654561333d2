"""The frame classifier on real frames (NudeNet's detector, as the worker runs it) and the
pre-screen's rules: thresholds, the prompt policy's flag, failure = not screened."""

from __future__ import annotations

import numpy as np
import pytest

from generation.registry import ModelSpec, PipelineRegistry
from generation.runner import RenderRequest, render
from generation.screening import nudenet_classify, sample_frames
from screening.models import ScreeningStatus
from screening.services import screen_frames

DEFAULT_FLAG_LABELS = {
    "FEMALE_GENITALIA_EXPOSED", "MALE_GENITALIA_EXPOSED", "FEMALE_BREAST_EXPOSED",
    "BUTTOCKS_EXPOSED", "ANUS_EXPOSED",
}  # fmt: skip


@pytest.fixture(scope="module")
def tiny_frames(tiny_model) -> np.ndarray:
    spec = ModelSpec(
        name="tiny", source=tiny_model, profile="tiny", dtype="float32", device="cpu", steps=2
    )
    loaded = PipelineRegistry({"tiny": spec}).get("tiny")
    request = RenderRequest(
        prompt="a dancer on a rooftop at night", negative_prompt="", num_frames=17,
        height=48, width=80, seed=11, steps=2, guidance=5.0,
    )  # fmt: skip
    return render(loaded, request, lambda done, total: None)


def gradient(frames: int = 81, height: int = 480, width: int = 848) -> np.ndarray:
    row = np.linspace(0, 255, width, dtype=np.uint8)[None, None, :, None]
    return np.ascontiguousarray(np.tile(row, (frames, height, 1, 3)))


def test_sampling_takes_eight_evenly_spaced_frames_first_and_last_included():
    frames = np.arange(81)[:, None, None, None] * np.ones((1, 2, 2, 3), dtype=np.uint8)
    picked = sample_frames(frames)
    assert [int(f[0, 0, 0]) for f in picked] == [0, 11, 23, 34, 46, 57, 69, 80]
    assert len(sample_frames(frames[:5])) == 5


def test_nudenet_on_tiny_model_frames_flags_nothing(tiny_frames):
    seen = nudenet_classify(tiny_frames)
    assert seen.classifier == "nudenet-320n/3.4.2" and seen.frames == 8
    assert all(0.2 <= score <= 1 for score in seen.scores.values())
    flagged = [label for label, s in seen.scores.items() if label in DEFAULT_FLAG_LABELS]
    assert all(seen.scores[label] < 0.5 for label in flagged)


def test_nudenet_on_a_synthetic_gradient_scores_nothing():
    seen = nudenet_classify(gradient())
    assert seen.scores == {} and seen.frames == 8
    # Float frames in [0, 1], as a pipeline gives them, read the same.
    assert nudenet_classify(gradient(9, 48, 80).astype(np.float32) / 255).scores == {}


def test_the_default_screen_is_screened_and_unflagged(settings):
    result = screen_frames(frames=gradient(17, 96, 160))
    assert result.status == ScreeningStatus.SCREENED and not result.flagged
    assert (result.risk_score, result.flags, result.error) == (0, [], "")
    assert result.classifier.startswith("nudenet-320n/") and result.duration_ms >= 0


def test_thresholds_are_settings(settings):
    settings.SCREEN_CLASSIFIER = "tests.screening.classifiers.brightness"
    settings.SCREEN_FLAG_LABELS = ["BRIGHT"]
    frames = gradient(9, 48, 80)  # mean level 0.5
    settings.SCREEN_FLAG_THRESHOLD = 60
    quiet = screen_frames(frames=frames)
    assert (quiet.flagged, quiet.risk_score) == (False, 50)
    assert quiet.scores["BRIGHT"] == pytest.approx(0.5, abs=0.01)
    settings.SCREEN_FLAG_THRESHOLD = 40
    loud = screen_frames(frames=frames)
    assert (loud.flags, loud.risk_score) == (["BRIGHT"], 50)
    # A label outside FLAG_LABELS never flags nor counts towards the risk.
    settings.SCREEN_FLAG_LABELS = ["RED"]
    neither = screen_frames(frames=frames)
    assert (neither.flagged, neither.risk_score) == (False, 0)


def test_the_prompt_policy_verdict_flags_with_full_risk(settings):
    result = screen_frames(frames=gradient(9, 48, 80), prompt_code="graphic_violence")
    assert result.status == ScreeningStatus.SCREENED
    assert (result.flags, result.risk_score) == (["prompt:graphic_violence"], 100)


@pytest.mark.parametrize(
    ("path", "timeout", "error"),
    [
        ("tests.screening.classifiers.broken", 30, "RuntimeError: model file unreadable"),
        ("tests.screening.classifiers.hangs", 1, "No answer within 1 s."),
        ("tests.screening.classifiers.missing", 30, "ImportError"),
    ],
)
def test_a_failing_classifier_means_not_screened_unflagged(settings, path, timeout, error):
    settings.SCREEN_CLASSIFIER = path
    settings.SCREEN_TIMEOUT_SECONDS = timeout
    result = screen_frames(frames=gradient(9, 48, 80))
    assert result.status == ScreeningStatus.NOT_SCREENED
    assert error in result.error and not result.flagged and result.risk_score == 0
    # The prompt policy's flag survives a classifier failure.
    with_prompt = screen_frames(frames=gradient(9, 48, 80), prompt_code="real_person_likeness")
    assert with_prompt.status == ScreeningStatus.NOT_SCREENED
    assert with_prompt.flags == ["prompt:real_person_likeness"]
