"""Variations rendered as one batch (issue 17; decision 0034), on a real worker: one
pipeline call for a submission's variations, each still its own job with its own
progress, output and review; one cancelled mid-render ends alone, the others finish."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest

from generation.registry import ModelSpec, PipelineRegistry
from generation.runner import RenderRequest, render, render_batch
from jobs.models import Job, JobStatus, Output
from jobs.services import job_cancel
from tests.jobs.conftest import wait_for_job
from tests.step_hold import LAUNCHER as HOLD_LAUNCHER
from tests.step_hold import StepHold
from tests.workers import WorkerProcess

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def held_worker(start_worker) -> Iterator[tuple[WorkerProcess, StepHold]]:
    """A worker that stops after step 2 of its render until the test lets go."""
    with StepHold() as hold:
        yield start_worker(launcher=HOLD_LAUNCHER), hold


def _submit(client, **extra) -> list[int]:
    body = {"prompt": "surf at night", "duration_seconds": 2, "resolution": "480p",
            "aspect_ratio": "16:9", "seed": 100, "variations": 3, **extra}  # fmt: skip
    response = client.post("/api/v1/generations/", body, content_type="application/json")
    assert response.status_code == 201, response.content
    return response.json()["variations"]


def test_variations_render_in_one_call_and_one_cancelled_mid_render_ends_alone(
    client, artist, held_worker
):
    worker, hold = held_worker
    client.force_login(artist)
    ids = _submit(client)
    hold.wait_until_held()
    # All three were claimed together: running, on the same worker, before any finished.
    running = Job.objects.filter(pk__in=ids, status=JobStatus.RUNNING)
    assert running.count() == 3, worker.log()
    assert len(set(running.values_list("worker", flat=True))) == 1
    job_cancel(job=Job.objects.get(pk=ids[1]), actor=artist)
    hold.__exit__(None, None, None)  # let go: the render goes on
    jobs = [wait_for_job(pk, lambda j: j.is_terminal, timeout=180) for pk in ids]
    assert [j.status for j in jobs] == [
        JobStatus.SUCCEEDED,
        JobStatus.CANCELED,
        JobStatus.SUCCEEDED,
    ], worker.log()
    assert not Output.objects.filter(job_id=ids[1]).exists()
    outputs = [Output.objects.get(job_id=pk) for pk in (ids[0], ids[2])]
    assert outputs[0].sha256 != outputs[1].sha256
    assert all(j.attempt == 1 for j in jobs)  # one claim each: no retry
    assert "rendering as one batch" in worker.log()


def test_a_batch_renders_what_each_seed_renders_alone(settings, tiny_model):
    name = "tiny-wan"
    spec = ModelSpec.from_dict(name, dict(settings.GENERATION_MODELS[name]))
    loaded = PipelineRegistry({name: spec}).get(name)
    requests = [
        RenderRequest(
            prompt="a gull",
            negative_prompt="",
            num_frames=5,
            height=32,
            width=48,
            seed=seed,
            steps=2,
            guidance=5.0,
        )
        for seed in (1, 2)
    ]
    steps: list[int] = []
    together = render_batch(loaded, requests, lambda done, total: steps.append(done))
    assert steps == [1, 2]  # one call: each step once, for both
    alone = [render(loaded, request, lambda done, total: None) for request in requests]
    for batched, single in zip(together, alone, strict=True):
        assert batched.shape == single.shape == (5, 32, 48, 3)
        # The same latents from the same generators; float sums may differ by a level.
        assert np.abs(batched.astype(int) - single.astype(int)).max() <= 2
    assert not np.array_equal(together[0], together[1])
    with pytest.raises(ValueError, match="several seeds"):
        render_batch(loaded, [requests[0], RenderRequest(**{**requests[1].__dict__, "steps": 3})],
                     lambda done, total: None)  # fmt: skip
