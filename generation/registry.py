"""Pipelines, loaded once per worker process and reused across jobs."""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from generation.geometry import PROFILES, ModelProfile

log = logging.getLogger(__name__)

# What a model can be asked to do (issue 17). Wan's start-image and first-last-frame
# checkpoints are different models, so "start_image" and "start_end_image" are separate.
CAPABILITY_TEXT = "text"  # text to video
CAPABILITY_START_IMAGE = "start_image"  # image to video from a start image (image=)
CAPABILITY_START_END_IMAGE = "start_end_image"  # a start and an end image (last_image=)
CAPABILITIES = (CAPABILITY_TEXT, CAPABILITY_START_IMAGE, CAPABILITY_START_END_IMAGE)


@dataclass(frozen=True)
class ModelSpec:
    """How to load and run one model. ``source`` is a local folder or a hub id (e.g.
    ``Wan-AI/Wan2.1-T2V-1.3B-Diffusers``); both go through ``from_pretrained``."""

    name: str
    source: str
    profile: str = "wan"
    dtype: str = "bfloat16"
    device: str = "auto"  # auto: cuda when available, else cpu
    steps: int = 30
    guidance: float = 5.0
    local_files_only: bool = True
    capabilities: tuple[str, ...] = (CAPABILITY_TEXT,)
    # How many variations of one submission one pipeline call may render together (what
    # the model and the card's memory allow); 1: one by one.
    batch: int = 1

    @property
    def geometry_profile(self) -> ModelProfile:
        return PROFILES[self.profile]

    @classmethod
    def from_dict(cls, name: str, values: dict[str, Any]) -> ModelSpec:
        unknown = set(values) - (set(cls.__dataclass_fields__) - {"name"})
        if unknown:
            raise ValueError(f"model {name!r}: unknown keys {sorted(unknown)}")
        if "capabilities" in values:
            values = {**values, "capabilities": tuple(values["capabilities"])}
        spec = cls(name=name, **values)
        if spec.profile not in PROFILES:
            raise ValueError(f"model {name!r}: profile must be one of {sorted(PROFILES)}")
        if isinstance(spec.batch, bool) or not isinstance(spec.batch, int) or spec.batch < 1:
            raise ValueError(f"model {name!r}: batch must be a whole number from 1")
        if not spec.capabilities or set(spec.capabilities) - set(CAPABILITIES):
            raise ValueError(
                f"model {name!r}: capabilities must be a non-empty subset of {list(CAPABILITIES)}"
            )
        return spec


@dataclass
class LoadedPipeline:
    spec: ModelSpec
    pipeline: Any
    device: str
    loaded_at: float = field(default_factory=time.time)
    load_seconds: float = 0.0


class PipelineRegistry:
    """Loads each model the first time a job needs it, then keeps it."""

    def __init__(self, specs: dict[str, ModelSpec]) -> None:
        self._specs = specs
        self._loaded: dict[str, LoadedPipeline] = {}
        self._lock = threading.Lock()
        self.load_count = 0

    def spec(self, name: str) -> ModelSpec:
        try:
            return self._specs[name]
        except KeyError:
            raise KeyError(f"unknown model {name!r}") from None

    def get(self, name: str) -> LoadedPipeline:
        with self._lock:
            if name not in self._loaded:
                self._loaded[name] = self._load(self.spec(name))
                self.load_count += 1
            return self._loaded[name]

    @staticmethod
    def _load(spec: ModelSpec) -> LoadedPipeline:
        import diffusers
        import torch
        import transformers
        from diffusers import DiffusionPipeline

        # Progress bars are for terminals; a worker's log wants one line per load.
        diffusers.utils.logging.disable_progress_bar()
        transformers.utils.logging.disable_progress_bar()

        device = spec.device
        if device == "auto":
            device = "cuda" if torch.cuda.is_available() else "cpu"
        dtype = getattr(torch, spec.dtype)
        if device == "cpu" and dtype == torch.bfloat16:
            dtype = torch.float32  # bfloat16 on CPU is slow and poorly supported
        started = time.perf_counter()
        pipeline = DiffusionPipeline.from_pretrained(
            spec.source, dtype=dtype, local_files_only=spec.local_files_only
        )
        pipeline.to(device)
        pipeline.set_progress_bar_config(disable=True)
        seconds = time.perf_counter() - started
        log.info("loaded model %s from %s on %s in %.2fs", spec.name, spec.source, device, seconds)
        return LoadedPipeline(spec=spec, pipeline=pipeline, device=device, load_seconds=seconds)
