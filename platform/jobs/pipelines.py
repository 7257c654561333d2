"""The worker process's pipeline registry, built from settings once per process."""

from __future__ import annotations

from functools import lru_cache

from django.conf import settings

from generation.registry import ModelSpec, PipelineRegistry


def model_spec(name: str) -> ModelSpec:
    """The spec of an enabled model. Raises KeyError for anything else."""
    if name not in settings.GENERATION_ENABLED_MODELS:
        raise KeyError(name)
    return ModelSpec.from_dict(name, dict(settings.GENERATION_MODELS[name]))


@lru_cache(maxsize=1)
def registry() -> PipelineRegistry:
    return PipelineRegistry({name: model_spec(name) for name in settings.GENERATION_ENABLED_MODELS})
