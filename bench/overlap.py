"""Overlapped post-processing (issue 16 point 4, decision 0031): jobs per minute with a
backlog, post-processing inline (sequential) versus beside the next render (overlapped),
and the gap between one render's end and the next render's start.

    .venv/bin/python bench/overlap.py [--jobs 40] [--rounds 2]
    .venv/bin/python bench/overlap.py --smoke   # seconds: tests/test_benchmarks.py

Starts its own throwaway PostgreSQL and Redis (tests/servers.py), migrates, builds the tiny
model and, for each round, one real Celery worker per mode in turn (solo pool, model
preloaded): ``VERNISSAGE_POST_PROCESSING_SLOTS=0`` (sequential: marks, encode, C2PA,
poster, probe, store and the success transaction after each render, as before) and ``=1``
(overlapped). Each worker gets a backlog: ``--jobs`` jobs submitted through the real API
at once (2 s, 480p 16:9 on the tiny model: 17 frames at 80x48, 4 steps, where the render
and the post-processing take similar time on a CPU). Throughput is the jobs over the span
from the first job's start to the last one's end (``started_at`` / ``finished_at`` in
PostgreSQL); the gap quantiles and the busy ratio are the worker's own render clock
(``jobs.heartbeats.RenderClock``), read from its heartbeat row as /metrics does.

The benchmark's artist submits at machine pace: it is made a benchmark account
(``containment.services.benchmark_account_exempt``, in this throwaway database only).
"""

from __future__ import annotations

import argparse
import os
import platform as stdlib_platform
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "platform")]
os.chdir(ROOT)

import tests.servers  # noqa: E402,F401  (starts PostgreSQL and Redis, sets the environment)

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ["VERNISSAGE_LEASE_SECONDS"] = "30"
os.environ.setdefault("DATABASE_CONN_MAX_AGE", "60")  # as production (see generation_latency)
os.environ["VERNISSAGE_WORKER_HEARTBEAT_SECONDS"] = "1"  # the render clock reaches the row soon

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

from jobs.models import Job, JobStatus, WorkerHeartbeat  # noqa: E402

REQUEST = {"duration_seconds": 2, "resolution": "480p", "aspect_ratio": "16:9"}
MODES = (("sequential", 0), ("overlapped", 1))


def wait_all_terminal(ids: list[int], timeout: float) -> list[Job]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        jobs = list(Job.objects.filter(pk__in=ids).order_by("pk"))
        if all(job.is_terminal for job in jobs):
            return jobs
        time.sleep(0.05)
    raise TimeoutError(ids)


def run_mode(*, client: Client, slots: int, jobs: int, label: str) -> dict[str, float]:
    from tests.workers import WorkerProcess

    os.environ["VERNISSAGE_POST_PROCESSING_SLOTS"] = str(slots)
    worker = WorkerProcess(
        queue="gpu", database_name=connection.settings_dict["NAME"], name=f"overlap-{slots}"
    ).start()
    try:
        # One job first, alone: the worker's first job pays one-off costs.
        warm = client.post(
            "/api/v1/generations/", {**REQUEST, "prompt": f"{label} warm-up"},
            content_type="application/json",
        )  # fmt: skip
        assert warm.status_code == 201, warm.content
        wait_all_terminal([warm.json()["id"]], 120)
        ids = []
        for i in range(jobs):
            response = client.post(
                "/api/v1/generations/", {**REQUEST, "prompt": f"{label} {i}"},
                content_type="application/json",
            )  # fmt: skip
            assert response.status_code == 201, response.content
            ids.append(response.json()["id"])
        done = wait_all_terminal(ids, 60 + 10 * jobs)
        assert all(job.status == JobStatus.SUCCEEDED for job in done), [
            (job.pk, job.status, job.error_message) for job in done
        ]
        assert all(job.attempt == 1 for job in done)
        first = min(job.started_at for job in done if job.started_at is not None)
        last = max(job.finished_at for job in done if job.finished_at is not None)
        span = (last - first).total_seconds()
        # The render clock reaches the heartbeat row within a beat or two.
        time.sleep(2.5)
        beat = WorkerHeartbeat.objects.filter(queues__startswith="gpu.").order_by("-last_seen_at")[
            0
        ]
        return {
            "jobs_per_minute": len(done) / span * 60,
            "span_s": span,
            "gap_p50_ms": (beat.render_gap_p50_seconds or 0.0) * 1000,
            "gap_p95_ms": (beat.render_gap_p95_seconds or 0.0) * 1000,
            "busy_ratio": beat.busy_ratio or 0.0,
        }
    except BaseException:
        print("\n".join(["the worker's last lines:", *worker.lines[-60:]]), file=sys.stderr)
        raise
    finally:
        worker.stop()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--jobs", type=int, default=40, help="backlog per worker")
    parser.add_argument("--rounds", type=int, default=2, help="each mode this many times")
    parser.add_argument("--smoke", action="store_true", help="3 jobs, 1 round")
    args = parser.parse_args()
    if args.smoke:
        args.jobs, args.rounds = 3, 1

    call_command("migrate", verbosity=0)
    call_command("build_tiny_model", os.environ["VERNISSAGE_TINY_MODEL_PATH"], verbosity=0)

    from accounts.roles import Role
    from accounts.services import user_create
    from agreements.services import (
        agreement_accept,
        agreement_version_create,
        agreement_version_publish,
    )
    from cohorts.services import cohort_create
    from containment.services import benchmark_account_exempt

    cohort = cohort_create(actor=None, name="Bench", capacity=10, daily_generation_quota=10_000)
    nda = agreement_version_create(
        actor=None, title="NDA", body="Terms.", effective_at=timezone.now()
    )
    agreement_version_publish(actor=None, version=nda)
    artist = user_create(email="bench@example.com", password=None, role=Role.ARTIST, cohort=cohort)
    benchmark_account_exempt(user=artist)  # machine pace on purpose: see the docstring
    agreement_accept(user=artist, typed_full_name="Bench Artist", ip_address=None, user_agent="")
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(artist)

    started = time.time()
    load = os.getloadavg()[0]
    results: dict[str, list[dict[str, float]]] = {label: [] for label, _ in MODES}
    for round_ in range(args.rounds):
        for label, slots in MODES if round_ % 2 == 0 else reversed(MODES):
            results[label].append(run_mode(client=client, slots=slots, jobs=args.jobs, label=label))

    print(
        f"machine: {stdlib_platform.node()} {os.cpu_count()} cores, Python {sys.version.split()[0]}"
    )
    print(
        f"date: {datetime.fromtimestamp(started, UTC):%Y-%m-%d %H:%M} UTC, load average at "
        f"start {load:.2f}, at end {os.getloadavg()[0]:.2f}"
    )
    print(f"backlog: {args.jobs} jobs per worker, {args.rounds} round(s) per mode")
    for label, _ in MODES:
        for number, figures in enumerate(results[label], start=1):
            print(
                f"{label} round {number}: {figures['jobs_per_minute']:.1f} jobs/min "
                f"({figures['span_s']:.1f} s), gap between renders p50="
                f"{figures['gap_p50_ms']:.1f} ms p95={figures['gap_p95_ms']:.1f} ms, "
                f"busy ratio {figures['busy_ratio']:.2f}"
            )
    medians = {
        label: statistics.median(f["jobs_per_minute"] for f in results[label]) for label, _ in MODES
    }
    print(
        f"jobs/min, median of rounds: sequential {medians['sequential']:.1f}, overlapped "
        f"{medians['overlapped']:.1f} ({medians['overlapped'] / medians['sequential']:.2f}x)"
    )


if __name__ == "__main__":
    main()
