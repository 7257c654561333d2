"""The frame classifier of automated pre-screening (issue 18; decision 0035).

Pure: frames (numpy, ``(N, H, W, 3)`` uint8 RGB) in, label scores out; no Django. The
platform side (``screening.services``) picks the classifier by dotted path
(``VERNISSAGE_SCREEN_CLASSIFIER``), turns scores into flags with its thresholds and never
decides anything with them: a reviewer does.

The default is NudeNet's ONNX detector (MIT; ``nudenet/320n.onnx`` ships in its wheel),
run on CPU with onnxruntime over a few evenly spaced frames. The session is loaded once
per process. onnxruntime and opencv come with the ``gpu`` extra only: imported locally.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol

import numpy as np

# The detector's labels, in its output order (nudenet 3.4).
NUDENET_LABELS = (
    "FEMALE_GENITALIA_COVERED",
    "FACE_FEMALE",
    "BUTTOCKS_EXPOSED",
    "FEMALE_BREAST_EXPOSED",
    "FEMALE_GENITALIA_EXPOSED",
    "MALE_BREAST_EXPOSED",
    "ANUS_EXPOSED",
    "FEET_EXPOSED",
    "BELLY_COVERED",
    "FEET_COVERED",
    "ARMPITS_COVERED",
    "ARMPITS_EXPOSED",
    "FACE_MALE",
    "BELLY_EXPOSED",
    "MALE_GENITALIA_EXPOSED",
    "ANUS_COVERED",
    "FEMALE_BREAST_COVERED",
    "BUTTOCKS_COVERED",
)
NUDENET_INPUT = 320
SAMPLED_FRAMES = 8


@dataclass(frozen=True)
class FrameScreen:
    """What a classifier saw: per label, the highest score (0 to 1) over the frames."""

    classifier: str  # name and version, e.g. "nudenet-320n/3.4.2"
    scores: dict[str, float] = field(default_factory=dict)
    frames: int = 0


class FrameClassifier(Protocol):
    def __call__(self, frames: np.ndarray) -> FrameScreen: ...


def sample_frames(frames: np.ndarray, count: int = SAMPLED_FRAMES) -> np.ndarray:
    """``count`` evenly spaced frames, first and last included (all of them if fewer)."""
    total = len(frames)
    if total <= count:
        return frames
    picks = np.linspace(0, total - 1, count).round().astype(int)
    return frames[picks]


def _letterbox(frame: np.ndarray, size: int) -> np.ndarray:
    """The frame scaled to fit ``size`` x ``size``, padded with black right and below
    (as NudeNet pads before resizing), as float32 CHW in 0..1."""
    import cv2  # local import: opencv comes with the gpu extra only

    height, width = frame.shape[:2]
    scale = size / max(height, width)
    new_w, new_h = max(1, round(width * scale)), max(1, round(height * scale))
    resized = cv2.resize(np.ascontiguousarray(frame), (new_w, new_h), interpolation=cv2.INTER_AREA)
    canvas = np.zeros((size, size, 3), dtype=np.uint8)
    canvas[:new_h, :new_w] = resized[..., :3]
    return canvas.transpose(2, 0, 1).astype(np.float32) / 255.0


@lru_cache(maxsize=1)
def _nudenet_session() -> tuple[Any, str]:
    """The ONNX session, once per process (a worker screens every job with it)."""
    from importlib.metadata import version

    import nudenet  # local import: the detector comes with the gpu extra only
    import onnxruntime

    options = onnxruntime.SessionOptions()
    options.log_severity_level = 3
    # No busy-waiting threads between ops: on the dev VM's 2 shared cores this took a
    # call from 0.36 s to 0.24 s (docs/benchmarks.md), and leaves the CPU to the worker.
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    model = Path(nudenet.__file__).parent / "320n.onnx"
    session = onnxruntime.InferenceSession(
        str(model), sess_options=options, providers=["CPUExecutionProvider"]
    )
    return session, f"nudenet-320n/{version('nudenet')}"


def nudenet_classify(frames: np.ndarray) -> FrameScreen:
    """NudeNet's detector over ``SAMPLED_FRAMES`` frames, in one batch: per label, the
    best box score over every frame (no box under 0.2 counts, as in NudeNet)."""
    session, name = _nudenet_session()
    picked = sample_frames(frames)
    if picked.dtype != np.uint8:  # float frames in [0, 1], as a pipeline gives them
        picked = np.rint(np.clip(picked, 0.0, 1.0) * 255.0).astype(np.uint8)
    if len(picked) == 0:
        return FrameScreen(classifier=name, scores={}, frames=0)
    batch = np.stack([_letterbox(frame, NUDENET_INPUT) for frame in picked])
    (output,) = session.run(None, {session.get_inputs()[0].name: batch})
    # output: (batch, 4 box coordinates + one score per label, anchors)
    best = output[:, 4:, :].max(axis=(0, 2))
    scores = {
        label: round(float(score), 4)
        for label, score in zip(NUDENET_LABELS, best, strict=True)
        if score >= 0.2
    }
    return FrameScreen(classifier=name, scores=scores, frames=len(picked))
