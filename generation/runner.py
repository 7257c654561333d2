"""Run one text-to-video request through a loaded pipeline: seeded, with per-step
progress and cooperative cancel."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from generation.encoding import to_uint8
from generation.registry import LoadedPipeline


class RenderCanceled(Exception):
    """The step callback asked to stop; raised out of the pipeline at the next step."""


@dataclass(frozen=True)
class RenderRequest:
    prompt: str
    negative_prompt: str
    num_frames: int
    height: int
    width: int
    seed: int
    steps: int
    guidance: float


# Called after each denoising step with (steps done, total steps). Raise RenderCanceled
# (or anything else) to stop at that step.
StepCallback = Callable[[int, int], None]


def render(loaded: LoadedPipeline, request: RenderRequest, on_step: StepCallback) -> np.ndarray:
    """Frames as uint8 (frames, height, width, 3)."""
    import torch

    generator = torch.Generator(device="cpu").manual_seed(request.seed)

    def callback(pipe: Any, step: int, timestep: Any, kwargs: dict[str, Any]) -> dict[str, Any]:
        on_step(step + 1, request.steps)
        return {}

    with torch.inference_mode():
        result = loaded.pipeline(
            prompt=request.prompt,
            negative_prompt=request.negative_prompt or None,
            num_frames=request.num_frames,
            height=request.height,
            width=request.width,
            num_inference_steps=request.steps,
            guidance_scale=request.guidance,
            generator=generator,
            output_type="np",
            callback_on_step_end=callback,
        )
    return to_uint8(np.asarray(result.frames))
