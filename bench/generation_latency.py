"""Generation benchmarks: per-job platform overhead and submit → first-step latency.

    .venv/bin/python bench/generation_latency.py [--jobs 30] [--samples 100] [--backlog 1000]

Starts its own throwaway PostgreSQL and Redis (tests/servers.py), migrates, builds the tiny
model, starts one real Celery worker on the gpu queue (solo pool, model preloaded) and
measures through the real API (Django test client, session auth):

1. overhead: for N jobs (2 s, 480p 16:9 on the tiny model: 17 frames at 80x48, 4 steps),
   job wall time (created_at → finished_at, read from PostgreSQL) minus the bare GPU-side
   time for the same parameters (render + encode + poster + probe + sha256, measured
   in this process with the same generation/ functions and a warm pipeline).
2. latency: for M submits with the worker idle, POST start → first denoising step done
   (Job.first_step_at), first with an empty table, then with a backlog of 1,000 queued
   jobs in PostgreSQL whose messages wait on another queue of the same Redis broker.
"""

from __future__ import annotations

import argparse
import os
import platform as stdlib_platform
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "platform")]
os.chdir(ROOT)

import tests.servers  # noqa: E402,F401  (starts PostgreSQL and Redis, sets the environment)

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ["VERNISSAGE_LEASE_SECONDS"] = "30"

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

from jobs.models import Job, JobStatus  # noqa: E402

REQUEST = {"duration_seconds": 2, "resolution": "480p", "aspect_ratio": "16:9"}


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


def summary(name: str, values_ms: list[float]) -> str:
    return (
        f"{name}: n={len(values_ms)} median={statistics.median(values_ms):.1f} ms "
        f"p90={percentile(values_ms, 90):.1f} ms p99={percentile(values_ms, 99):.1f} ms "
        f"min={min(values_ms):.1f} ms max={max(values_ms):.1f} ms"
    )


def bare_gpu_side_ms(model_path: str, samples: int) -> list[float]:
    from generation.encoding import encode_mp4, probe, sha256_of, write_poster
    from generation.registry import ModelSpec, PipelineRegistry
    from generation.runner import RenderRequest, render

    spec = ModelSpec(
        name="tiny", source=model_path, profile="tiny", dtype="float32", device="cpu", steps=4
    )
    loaded = PipelineRegistry({"tiny": spec}).get("tiny")
    request = RenderRequest(
        prompt="a red bird over the sea", negative_prompt="", num_frames=17, height=48, width=80,
        seed=1, steps=4, guidance=5.0,
    )  # fmt: skip
    timings = []
    for i in range(samples + 2):
        folder = Path(tempfile.mkdtemp())
        started = time.perf_counter()
        frames = render(loaded, request, lambda done, total: None)
        encode_mp4(frames, fps=8, path=folder / "v.mp4")
        write_poster(frames, path=folder / "p.jpg")
        probe(folder / "v.mp4")
        sha256_of(folder / "v.mp4")
        if i >= 2:  # warm-up
            timings.append((time.perf_counter() - started) * 1000)
    return timings


def wait_terminal(job_id: int, timeout: float = 60) -> Job:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = Job.objects.get(pk=job_id)
        if job.is_terminal:
            return job
        time.sleep(0.01)
    raise TimeoutError(job_id)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--jobs", type=int, default=30)
    parser.add_argument("--samples", type=int, default=100)
    parser.add_argument("--backlog", type=int, default=1000)
    args = parser.parse_args()

    call_command("migrate", verbosity=0)
    model_path = os.environ["VERNISSAGE_TINY_MODEL_PATH"]
    call_command("build_tiny_model", model_path, verbosity=0)

    from accounts.roles import Role
    from accounts.services import user_create
    from agreements.services import (
        agreement_accept,
        agreement_version_create,
        agreement_version_publish,
    )
    from cohorts.services import cohort_create
    from tests.workers import WorkerProcess

    cohort = cohort_create(actor=None, name="Bench", capacity=10, daily_generation_quota=10_000)
    nda = agreement_version_create(
        actor=None, title="NDA", body="Terms.", effective_at=timezone.now()
    )
    agreement_version_publish(actor=None, version=nda)
    artist = user_create(email="bench@example.com", password=None, role=Role.ARTIST, cohort=cohort)
    agreement_accept(user=artist, typed_full_name="Bench Artist", ip_address=None, user_agent="")
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(artist)

    worker = WorkerProcess(
        queue="gpu", database_name=connection.settings_dict["NAME"], name="bench"
    ).start()
    try:

        def submit(prompt: str) -> tuple[int, float]:
            started = time.time()
            response = client.post(
                "/api/v1/generations/",
                {**REQUEST, "prompt": prompt},
                content_type="application/json",
            )
            assert response.status_code == 201, response.content
            return response.json()["id"], started

        for i in range(3):  # warm the web side and the worker
            wait_terminal(submit(f"warm up {i}")[0])

        overhead, walls = [], []
        bare = bare_gpu_side_ms(model_path, args.jobs)
        bare_median = statistics.median(bare)
        for i in range(args.jobs):
            job = wait_terminal(submit(f"a red bird over the sea {i}")[0])
            assert job.status == JobStatus.SUCCEEDED, job.error_message
            assert job.finished_at is not None
            wall = (job.finished_at - job.created_at).total_seconds() * 1000
            walls.append(wall)
            overhead.append(wall - bare_median)

        def latencies(label: str) -> list[float]:
            values = []
            for i in range(args.samples):
                job_id, started = submit(f"{label} {i}")
                job = wait_terminal(job_id)
                assert job.first_step_at is not None
                values.append((job.first_step_at.timestamp() - started) * 1000)
            return values

        idle = latencies("idle")

        # A backlog: 1,000 queued jobs in PostgreSQL, their messages on another queue.
        settings.GENERATION_QUEUE = "gpu-backlog"
        for i in range(args.backlog):
            submit(f"backlog {i}")
        settings.GENERATION_QUEUE = "gpu"
        queued = Job.objects.filter(status=JobStatus.QUEUED).count()
        with_backlog = latencies("with backlog")
    finally:
        worker.stop()

    print(
        f"machine: {stdlib_platform.node()} {os.cpu_count()} cores, Python {sys.version.split()[0]}"
    )
    print(f"date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC")
    print(summary("bare GPU side (render+encode+poster+probe+sha256)", bare))
    print(summary("job wall time (created_at -> finished_at)", walls))
    print(summary("platform overhead (wall - bare median)", overhead))
    print(summary("submit -> first step, idle worker, empty table", idle))
    print(summary(f"submit -> first step, idle worker, {queued} queued jobs", with_backlog))


if __name__ == "__main__":
    main()
