"""Alternate frame classifiers, plugged in by dotted path (VERNISSAGE_SCREEN_CLASSIFIER)
as a deployment would plug in its own: real classes of the plugin interface, not mocks."""

from __future__ import annotations

import time

import numpy as np

from generation.screening import FrameScreen


def broken(frames: np.ndarray) -> FrameScreen:
    """A classifier whose model can't be read: every call raises."""
    raise RuntimeError("model file unreadable")


def hangs(frames: np.ndarray) -> FrameScreen:
    """A classifier that takes far longer than the timeout."""
    time.sleep(5)
    return FrameScreen(classifier="hangs/1", scores={}, frames=len(frames))


def brightness(frames: np.ndarray) -> FrameScreen:
    """Scores "BRIGHT" by the frames' mean level (0 to 1) and "RED" by the share of
    pixels whose red channel leads: a real, if simple, frame classifier."""
    level = float(frames.mean()) / 255.0
    wide = frames.astype(np.int16)
    red = float(((wide[..., 0] > wide[..., 1] + 40) & (wide[..., 0] > wide[..., 2] + 40)).mean())
    return FrameScreen(
        classifier="brightness/1", scores={"BRIGHT": round(level, 4), "RED": round(red, 4)},
        frames=len(frames),
    )  # fmt: skip
