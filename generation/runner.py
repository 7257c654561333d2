"""Run one request through a loaded pipeline: seeded, with per-step progress and
cooperative cancel. Text to video, or image to video from a start image (and an end
image, on a first-and-last-frame model)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
from PIL import Image, ImageOps

from generation.encoding import to_uint8
from generation.registry import (
    CAPABILITY_START_END_IMAGE,
    CAPABILITY_START_IMAGE,
    CAPABILITY_TEXT,
    LoadedPipeline,
)


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
    # The first frame to start from: a PIL image or a uint8 (height, width, 3) array, of
    # any size (fitted to the request's size). None: text to video.
    start_image: Image.Image | np.ndarray | None = field(default=None, compare=False)
    # The last frame to end on (with a start image, on a model with the start_end_image
    # capability), the same kinds and fitting as the start image. None: no end image.
    end_image: Image.Image | np.ndarray | None = field(default=None, compare=False)


# Called after each denoising step with (steps done, total steps). Raise RenderCanceled
# (or anything else) to stop at that step.
StepCallback = Callable[[int, int], None]


def start_frame(image: Image.Image | np.ndarray, *, width: int, height: int) -> Image.Image:
    """``image`` as an RGB picture of exactly ``width`` x ``height``: scaled to cover the
    frame and centre-cropped, so proportions are kept (never stretched)."""
    if isinstance(image, np.ndarray):
        if image.dtype != np.uint8 or image.ndim != 3 or image.shape[2] != 3:
            raise ValueError("an image array must be uint8 shaped (height, width, 3)")
        picture = Image.fromarray(image)
    else:
        picture = image.convert("RGB")
    if picture.size == (width, height):
        return picture
    return ImageOps.fit(picture, (width, height), method=Image.Resampling.LANCZOS)


def _mode_arguments(loaded: LoadedPipeline, request: RenderRequest) -> dict[str, Any]:
    """The pipeline arguments that differ between text and image to video."""
    name, capabilities = loaded.spec.name, loaded.spec.capabilities
    if request.start_image is None:
        if request.end_image is not None:
            raise ValueError("an end image needs a start image")
        if CAPABILITY_TEXT not in capabilities:
            raise ValueError(f"model {name!r} needs a start image")
        return {}
    if request.end_image is None:
        if CAPABILITY_START_IMAGE not in capabilities:
            if CAPABILITY_START_END_IMAGE in capabilities:
                raise ValueError(f"model {name!r} needs an end image with the start image")
            raise ValueError(f"model {name!r} does not take a start image")
    elif CAPABILITY_START_END_IMAGE not in capabilities:
        raise ValueError(f"model {name!r} does not take an end image")
    size = {"width": request.width, "height": request.height}
    arguments: dict[str, Any] = {"image": start_frame(request.start_image, **size)}
    if request.end_image is not None:
        arguments["last_image"] = start_frame(request.end_image, **size)
    return arguments


def render(loaded: LoadedPipeline, request: RenderRequest, on_step: StepCallback) -> np.ndarray:
    """Frames as uint8 (frames, height, width, 3)."""
    return render_batch(loaded, [request], on_step)[0]


def render_batch(
    loaded: LoadedPipeline, requests: list[RenderRequest], on_step: StepCallback
) -> list[np.ndarray]:
    """Several requests that differ only in their seed (a submission's variations) in one
    pipeline call: one latent per seed, each drawn from its own generator as a single
    render draws it. Frames as uint8, one array per request, in order."""
    import torch

    request = requests[0]
    if any(replace(other, seed=request.seed) != request for other in requests[1:]):
        raise ValueError("a batch renders one request at several seeds; these differ otherwise")
    extra = _mode_arguments(loaded, request)

    generators = [torch.Generator(device="cpu").manual_seed(r.seed) for r in requests]
    generator = generators[0] if len(generators) == 1 else generators

    def callback(pipe: Any, step: int, timestep: Any, kwargs: dict[str, Any]) -> dict[str, Any]:
        on_step(step + 1, request.steps)
        return {}

    with torch.inference_mode():
        result = loaded.pipeline(
            # The prompt once per video (not num_videos_per_prompt: Wan's image-to-video
            # pipeline repeats its image embedding per prompt, not per video).
            prompt=[request.prompt] * len(requests),
            negative_prompt=[request.negative_prompt] * len(requests)
            if request.negative_prompt
            else None,
            num_frames=request.num_frames,
            height=request.height,
            width=request.width,
            num_inference_steps=request.steps,
            guidance_scale=request.guidance,
            generator=generator,
            output_type="np",
            callback_on_step_end=callback,
            **extra,
        )
    videos = np.asarray(result.frames)  # (videos, frames, height, width, 3)
    return [to_uint8(videos[index]) for index in range(len(requests))]
