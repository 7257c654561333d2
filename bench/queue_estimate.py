"""How accurate the queue estimate is (issue 14; jobs.estimates).

    .venv/bin/python bench/queue_estimate.py [--history 12] [--jobs 20] [--workers 1]

Starts its own throwaway PostgreSQL and Redis (tests/servers.py), migrates, builds the tiny
model and starts real Celery workers on the gpu queue (solo pool; their heartbeats are
the live worker count). Then:

1. history: submits ``--history`` jobs one at a time (2 s and 5 s videos at 480p, in turn)
   through the real API and waits for each: the recent run times the estimate rests on;
2. burst: submits ``--jobs`` more at once (the same mix), and while any is unfinished,
   about once a second reads each job's estimate as the job page's poll gets it
   (``GET /api/v1/generations/<id>/``, the artist's session);
3. compares each prediction with what happened (``started_at``, ``finished_at``) and prints
   the median and p90 absolute error, in seconds: of the start predicted while queued, of
   the finish predicted while queued and while running, and of the first prediction each
   job got (right after submitting).

``--smoke`` runs a small version (3 + 2 jobs) for tests/test_benchmarks.py.
"""

from __future__ import annotations

import argparse
import os
import platform as stdlib_platform
import statistics
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "platform")]
os.chdir(ROOT)

import tests.servers  # noqa: E402,F401  (starts PostgreSQL and Redis, sets the environment)

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ["VERNISSAGE_LEASE_SECONDS"] = "30"
os.environ["VERNISSAGE_ACCESS_LOG"] = "false"  # one line per poll would drown the figures

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

from jobs.models import Job, JobStatus  # noqa: E402

DURATIONS = (2, 5)


@dataclass
class Prediction:
    job_id: int
    at: float
    status: str
    start: float | None
    finish: float | None


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


def summary(name: str, errors: list[float]) -> str:
    if not errors:
        return f"{name}: no predictions"
    return (
        f"{name}: n={len(errors)} median={statistics.median(errors):.2f} s "
        f"p90={percentile(errors, 90):.2f} s max={max(errors):.2f} s"
    )


def seconds(text: str | None) -> float | None:
    if text is None:
        return None
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--history", type=int, default=12)
    parser.add_argument("--jobs", type=int, default=20)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--smoke", action="store_true", help="3 history jobs, 2 in the burst")
    args = parser.parse_args()
    if args.smoke:
        args.history, args.jobs = 3, 2

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
    from tests.workers import WorkerProcess

    cohort = cohort_create(actor=None, name="Bench", capacity=10, daily_generation_quota=10_000)
    nda = agreement_version_create(
        actor=None, title="NDA", body="Terms.", effective_at=timezone.now()
    )
    agreement_version_publish(actor=None, version=nda)
    artist = user_create(email="bench@example.com", password=None, role=Role.ARTIST, cohort=cohort)
    # Every unfinished job is polled about once a second, a burst is submitted at machine
    # pace: a benchmark account (no per-account API budget, no shared-account watch).
    benchmark_account_exempt(user=artist)
    agreement_accept(user=artist, typed_full_name="Bench Artist", ip_address=None, user_agent="")
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(artist)

    def submit(i: int) -> int:
        response = client.post(
            "/api/v1/generations/",
            {
                "prompt": f"a red bird over the sea {i}",
                "duration_seconds": DURATIONS[i % len(DURATIONS)],
                "resolution": "480p",
                "aspect_ratio": "16:9",
            },
            content_type="application/json",
        )
        assert response.status_code == 201, response.content
        return int(response.json()["id"])

    def wait_all(ids: list[int], timeout: float = 600) -> None:
        deadline = time.monotonic() + timeout
        while Job.objects.filter(pk__in=ids, status__in=["queued", "running"]).exists():
            if time.monotonic() > deadline:
                raise TimeoutError(ids)
            time.sleep(0.05)

    database = connection.settings_dict["NAME"]
    workers = [
        WorkerProcess(queue="gpu", database_name=database, name=f"bench{i}").start()
        for i in range(args.workers)
    ]
    predictions: list[Prediction] = []
    try:
        learned = []
        for i in range(args.history):
            learned.append(submit(i))
            wait_all(learned[-1:])
        burst = [submit(args.history + i) for i in range(args.jobs)]
        deadline = time.monotonic() + 600
        while time.monotonic() < deadline:
            open_ids = list(
                Job.objects.filter(pk__in=burst, status__in=["queued", "running"]).values_list(
                    "pk", flat=True
                )
            )
            if not open_ids:
                break
            for job_id in open_ids:
                at = time.time()
                response = client.get(f"/api/v1/generations/{job_id}/")
                assert response.status_code == 200, response.content
                body = response.json()
                queue = body["queue"]
                if queue is None:
                    continue
                predictions.append(
                    Prediction(
                        job_id=job_id,
                        at=at,
                        status=body["status"],
                        start=seconds(queue["estimated_start"]),
                        finish=seconds(queue["estimated_finish"]),
                    )
                )
            time.sleep(1.0)
        wait_all(burst)
    finally:
        for worker in workers:
            worker.stop()

    jobs = {job.pk: job for job in Job.objects.filter(pk__in=burst)}
    failed = [job.pk for job in jobs.values() if job.status != JobStatus.SUCCEEDED]
    assert not failed, f"jobs that did not succeed: {failed}"
    start_errors, finish_queued, finish_running, first_start, first_finish = [], [], [], [], []
    no_estimate = 0
    seen: set[int] = set()
    for p in predictions:
        job = jobs[p.job_id]
        assert job.started_at is not None and job.finished_at is not None
        started, finished = job.started_at.timestamp(), job.finished_at.timestamp()
        if p.finish is None:
            no_estimate += 1
            continue
        first = p.job_id not in seen
        seen.add(p.job_id)
        if p.status == JobStatus.QUEUED:
            if p.start is not None:
                start_errors.append(abs(p.start - started))
                if first:
                    first_start.append(abs(p.start - started))
            finish_queued.append(abs(p.finish - finished))
        else:
            finish_running.append(abs(p.finish - finished))
        if first:
            first_finish.append(abs(p.finish - finished))
    waits = [(j.started_at - j.created_at).total_seconds() for j in jobs.values()]  # type: ignore[operator]
    runs = [(j.finished_at - j.started_at).total_seconds() for j in jobs.values()]  # type: ignore[operator]

    print(
        f"machine: {stdlib_platform.node()} {os.cpu_count()} cores, Python {sys.version.split()[0]}"
    )
    print(f"date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC")
    print(
        f"history {args.history} jobs, burst {args.jobs} jobs ({'/'.join(map(str, DURATIONS))} s "
        f"at 480p in turn), {args.workers} worker(s); {len(predictions)} polls, "
        f"{no_estimate} without an estimate"
    )
    print(
        f"actual wait (created -> started): median {statistics.median(waits):.2f} s, "
        f"max {max(waits):.2f} s; run (started -> finished): median "
        f"{statistics.median(runs):.2f} s"
    )
    before = Job.objects.filter(pk__in=learned)
    print(
        "run (started -> finished) of the history jobs: median "
        f"{statistics.median((j.finished_at - j.started_at).total_seconds() for j in before):.2f} s"  # type: ignore[operator]
    )
    print(summary("start, predicted while queued", start_errors))
    print(summary("finish, predicted while queued", finish_queued))
    print(summary("finish, predicted while running", finish_running))
    print(summary("start, first prediction after submit", first_start))
    print(summary("finish, first prediction after submit", first_finish))


if __name__ == "__main__":
    main()
