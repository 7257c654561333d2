"""Start a worker that clocks its pipeline (benchmarks only): the same worker, with each
render stage's time inside the pipeline written down, so a benchmark can subtract the
model's own work from a job's wall time and keep what the platform adds.

    python -m bench._pipeline_clock <file> celery -A config worker ...

The worker is a real subprocess, so the clock goes in inside it before Celery starts (as
tests/faults/sabotage.py does with its patches). It wraps, and changes nothing they do:

- ``PipelineRegistry.get``: the pipeline it hands out is clocked: the time inside each
  call (denoising and VAE decoding), less the time in the worker's per-step callback
  (``callback_on_step_end``: cancel checks and progress writes are the platform's work,
  not the model's);
- the render stages, whichever the worker takes: ``jobs.worker._render`` (one job: a
  render, a storyboard's shots one after another, an extension from its parent's last
  frame) and, where it exists, ``jobs.batches._render_batch_stage`` (a submission's
  variations in one pipeline call). At the end of each, one JSON line goes to ``<file>``:
  ``{"jobs", "calls", "pipeline_ms", "callbacks_ms", "stage_ms"}``: the jobs it rendered,
  its pipeline calls, their time (less callbacks) and the callbacks' time summed, and the
  whole stage's time.
"""

from __future__ import annotations

import dataclasses
import json
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any


class _Stage:
    """What the pipeline did during one render stage."""

    def __init__(self) -> None:
        self.calls = 0
        self.pipeline = 0.0
        self.callbacks = 0.0


# The render stage under way: the worker renders one stage at a time (solo pool; its
# post-processing threads never render).
_stage: _Stage | None = None


def _clocked_pipeline(pipeline: Any) -> Callable[..., Any]:
    def call(*args: Any, **kwargs: Any) -> Any:
        stage = _stage or _Stage()  # a call outside any stage (none today) goes unrecorded
        step = kwargs.get("callback_on_step_end")
        if step is not None:

            def clocked_step(*step_args: Any, **step_kwargs: Any) -> Any:
                started = time.perf_counter()
                try:
                    return step(*step_args, **step_kwargs)
                finally:
                    stage.callbacks += time.perf_counter() - started

            kwargs["callback_on_step_end"] = clocked_step
        callbacks_before = stage.callbacks
        started = time.perf_counter()
        try:
            return pipeline(*args, **kwargs)
        finally:
            stage.calls += 1
            stage.pipeline += time.perf_counter() - started - (stage.callbacks - callbacks_before)

    return call


def _clocked_stage(function: Callable[..., Any], log: Path, jobs_of: Callable[..., list[Any]]):
    def stage(*args: Any, **kwargs: Any) -> Any:
        global _stage
        _stage = current = _Stage()
        started = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            _stage = None
            record = {
                "jobs": [job.pk for job in jobs_of(*args, **kwargs)],
                "calls": current.calls,
                "pipeline_ms": current.pipeline * 1000,
                "callbacks_ms": current.callbacks * 1000,
                "stage_ms": (time.perf_counter() - started) * 1000,
            }
            with log.open("a") as handle:
                handle.write(json.dumps(record) + "\n")

    return stage


def install(log: Path) -> None:
    from generation.registry import PipelineRegistry
    from jobs import worker

    get = PipelineRegistry.get

    def clocked_get(self: PipelineRegistry, name: str) -> Any:
        loaded = get(self, name)
        return dataclasses.replace(loaded, pipeline=_clocked_pipeline(loaded.pipeline))

    PipelineRegistry.get = clocked_get  # type: ignore[method-assign]
    worker._render = _clocked_stage(worker._render, log, lambda job, *_: [job])
    try:
        from jobs import batches  # type: ignore[attr-defined,unused-ignore]
    except ImportError:  # no batched variations in this tree
        return
    if hasattr(batches, "_render_batch_stage"):
        batches._render_batch_stage = _clocked_stage(
            batches._render_batch_stage, log, lambda jobs, *_: list(jobs)
        )


def main() -> None:
    log, program, *args = sys.argv[1:]
    if program != "celery":
        raise SystemExit(f"only a celery worker is clocked, not {program!r}")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    install(Path(log))
    sys.argv = [program, *args]
    from celery.__main__ import main as celery_main

    celery_main()


if __name__ == "__main__":
    main()
