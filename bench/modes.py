"""Generation modes (issue 17): platform overhead per job and per output for each mode on
the tiny models.

    .venv/bin/python bench/modes.py [--rounds 30]
    .venv/bin/python bench/modes.py --smoke   # seconds: tests/test_benchmarks.py

Starts its own throwaway PostgreSQL and Redis (tests/servers.py), migrates, builds the tiny
text, image and first-and-last-frame models and starts one real Celery worker serving all
three (solo pool, models preloaded), as bench/generation_latency.py does, but through
``bench._pipeline_clock``: the same worker, which writes down each job's time inside the
pipeline (denoising and VAE decoding, less its per-step callbacks). Submissions go
through the real service (``jobs.services.job_submit_once``, what the API calls), one at
a time, each waited for before the next; every round submits each case once, in an order
that turns each round, after a warm-up submission of each:

- ``text``: 2 s, 480p 16:9 (17 frames at 80x48, 4 steps);
- ``image``: the same from a start image (an upload of the artist's, on tiny-wan-i2v);
- ``extend``: 2 s more of a finished text job (its last frame read back from the stored
  video, the continuation cut onto it);
- ``storyboard``: 2 shots of 2 s (34 frames; each shot encoded, then cut together);
- ``variations``: a text submission with ``variations=3`` (3 jobs, consecutive seeds),
  rendered one by one or, where the worker batches a submission's variations
  (``jobs.batches``), in one pipeline call: the report says how many calls it took.

Per submission: wall = its first job's ``created_at`` to its last job's ``finished_at``
(from PostgreSQL); pipeline = the time inside the pipeline's calls, less the worker's
per-step callbacks, summed over its render stages (a storyboard's shots, a submission's
variations); platform overhead = wall - pipeline, and per output = that / the outputs it
made (3 for variations, else 1). The worker post-processes beside the next render
(``VERNISSAGE_POST_PROCESSING_SLOTS``, default 1), as in production.

The benchmark's artist submits at machine pace: it is made a benchmark account
(``containment.services.benchmark_account_exempt``, in this throwaway database only).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "platform")]
os.chdir(ROOT)

import tests.servers  # noqa: E402,F401  (starts PostgreSQL and Redis, sets the environment)

MODELS = ("tiny-wan", "tiny-wan-i2v", "tiny-wan-flf2v")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ["VERNISSAGE_LEASE_SECONDS"] = "30"
os.environ.setdefault("DATABASE_CONN_MAX_AGE", "60")  # as production (see generation_latency)
os.environ["VERNISSAGE_MODELS"] = ",".join(MODELS)
os.environ["VERNISSAGE_WORKER_MODELS"] = ",".join(MODELS)

import django  # noqa: E402

django.setup()

from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from accounts.models import User  # noqa: E402
from bench._stack import (  # noqa: E402
    bench_artist,
    date_line,
    load_average,
    machine_line,
    percentile,
    wait_all_terminal,
)
from jobs.models import Job, JobStatus  # noqa: E402

SIZE: dict[str, Any] = {"resolution": "480p", "aspect_ratio": "16:9"}


@dataclass
class Case:
    name: str
    outputs: int
    # The keyword arguments of one submission, from its number.
    request: Callable[[int], dict[str, Any]]
    # Per submission: wall, time inside the pipeline, pipeline calls.
    walls: list[float] = field(default_factory=list)
    pipelines: list[float] = field(default_factory=list)
    calls: list[float] = field(default_factory=list)
    # Per job: created -> started, started -> rendered, rendered -> finished.
    hops: list[float] = field(default_factory=list)
    renders: list[float] = field(default_factory=list)
    posts: list[float] = field(default_factory=list)
    # Per render stage (one job, or a batch of variations): step callbacks, and the
    # stage's time outside the pipeline and its callbacks.
    callbacks: list[float] = field(default_factory=list)
    outside: list[float] = field(default_factory=list)

    @property
    def overheads(self) -> list[float]:
        return [wall - pipeline for wall, pipeline in zip(self.walls, self.pipelines, strict=True)]


def cases(*, image_id: int, parent_id: int) -> list[Case]:
    return [
        Case("text", 1, lambda i: {"prompt": f"a red bird over the sea {i}", "duration_seconds": 2}),
        Case("image", 1, lambda i: {
            "mode": "image", "prompt": f"the bird takes off {i}", "duration_seconds": 2,
            "start_image": image_id,
        }),
        Case("extend", 1, lambda i: {"mode": "extend", "extends": parent_id, "duration_seconds": 2}),
        Case("storyboard", 1, lambda i: {"mode": "storyboard", "shots": [
            {"prompt": f"a lighthouse at dusk {i}", "duration_seconds": 2},
            {"prompt": f"the lamp turns {i}", "duration_seconds": 2},
        ]}),
        Case("variations", 3, lambda i: {
            "prompt": f"tide pools at noon {i}", "duration_seconds": 2, "variations": 3,
        }),
    ]  # fmt: skip


def clock_records(log: Path) -> dict[int, dict[str, Any]]:
    """The pipeline clock's record of each job's last render stage, by job (a batch's
    record under each of its jobs): bench/_pipeline_clock.py."""
    records: dict[int, dict[str, Any]] = {}
    for number, line in enumerate(log.read_text().splitlines()):
        record = {**json.loads(line), "number": number}
        for job in record["jobs"]:
            records[job] = record
    return records


def submit(artist: User, case: Case, number: int) -> list[int]:
    """One submission of ``case`` through the service the API calls; its jobs' ids, first
    variation first."""
    from jobs.services import job_submit_once

    first, _replayed = job_submit_once(
        artist=artist,
        idempotency_key="",
        **SIZE,
        **case.request(number),
    )
    others = Job.objects.filter(variation_of=first).order_by("variation_index")
    return [first.pk, *others.values_list("pk", flat=True)]


def measure(*, artist: User, case: Case, number: int, log: Path) -> None:
    ids = submit(artist, case, number)
    assert len(ids) == case.outputs, (case.name, ids)
    jobs = wait_all_terminal(ids, timeout=120)
    assert all(job.status == JobStatus.SUCCEEDED for job in jobs), [
        (job.pk, job.status, job.error_code, job.error_message) for job in jobs
    ]
    assert all(job.attempt == 1 for job in jobs), [(job.pk, job.attempt) for job in jobs]
    records = clock_records(log)
    stages = list({records[job.pk]["number"]: records[job.pk] for job in jobs}.values())
    # A storyboard calls the pipeline once per shot; anything else once per render stage.
    assert all(s["calls"] == (2 if case.name == "storyboard" else 1) for s in stages), stages
    first = min(job.created_at for job in jobs)
    last = max(job.finished_at for job in jobs if job.finished_at is not None)
    case.walls.append((last - first).total_seconds() * 1000)
    case.pipelines.append(sum(stage["pipeline_ms"] for stage in stages))
    case.calls.append(sum(stage["calls"] for stage in stages))
    for stage in stages:
        case.callbacks.append(stage["callbacks_ms"])
        case.outside.append(stage["stage_ms"] - stage["pipeline_ms"] - stage["callbacks_ms"])
    for job in jobs:
        assert job.started_at and job.rendered_at and job.finished_at
        case.hops.append((job.started_at - job.created_at).total_seconds() * 1000)
        case.renders.append((job.rendered_at - job.started_at).total_seconds() * 1000)
        case.posts.append((job.finished_at - job.rendered_at).total_seconds() * 1000)


def quantiles(values: list[float]) -> str:
    return f"median={statistics.median(values):.1f} ms p95={percentile(values, 95):.1f} ms"


def report(case: Case) -> list[str]:
    per_output = [overhead / case.outputs for overhead in case.overheads]
    median = statistics.median
    return [
        f"{case.name}: n={len(case.walls)} submissions of {case.outputs} job(s) and "
        f"output(s) each; wall median={median(case.walls):.1f} ms, pipeline "
        f"median={median(case.pipelines):.1f} ms in {median(case.calls):g} call(s)",
        f"{case.name}: platform overhead per submission {quantiles(case.overheads)}; "
        f"per output {quantiles(per_output)}",
        f"{case.name}: per job, medians: created->started {median(case.hops):.1f} ms; "
        f"started->rendered {median(case.renders):.1f} ms; rendered->finished "
        f"{median(case.posts):.1f} ms",
        f"{case.name}: per render stage (n={len(case.outside)}), medians: step callbacks "
        f"{median(case.callbacks):.1f} ms, outside the pipeline {median(case.outside):.1f} ms",
    ]


def table(all_cases: list[Case]) -> list[str]:
    lines = [
        "| mode | outputs | n | pipeline (calls) | wall | overhead per submission "
        "(p95) | per output (p95) | rendered → finished, per job |",
        "|---|---|---|---|---|---|---|---|",
    ]
    median = statistics.median
    for case in all_cases:
        per_output = [overhead / case.outputs for overhead in case.overheads]
        lines.append(
            f"| {case.name} | {case.outputs} | {len(case.walls)} "
            f"| {median(case.pipelines):.0f} ms ({median(case.calls):g}) "
            f"| {median(case.walls):.0f} ms "
            f"| {median(case.overheads):.0f} ms ({percentile(case.overheads, 95):.0f}) "
            f"| {median(per_output):.0f} ms ({percentile(per_output, 95):.0f}) "
            f"| {median(case.posts):.0f} ms |"
        )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=30, help="submissions of each case")
    parser.add_argument("--smoke", action="store_true", help="1 round after the warm-up")
    args = parser.parse_args()
    if args.smoke:
        args.rounds = 1

    started, load = time.time(), load_average()
    call_command("migrate", verbosity=0)
    for model in MODELS:
        call_command("build_tiny_model", model=model, verbosity=0)

    from jobs.services import job_submit_once
    from tests.uploads.conftest import picture
    from tests.workers import WorkerProcess
    from uploads.services import input_image_upload

    artist = bench_artist(allowed_modes=["text", "image", "extend", "storyboard"])
    image = input_image_upload(
        owner=artist,
        upload=SimpleUploadedFile("start.png", picture(size=(96, 64)), content_type="image/png"),
    )
    folder = Path(tempfile.mkdtemp(prefix="bench-modes-"))
    log = folder / "pipeline.jsonl"
    log.touch()
    worker = WorkerProcess(
        queue="gpu",
        database_name=connection.settings_dict["NAME"],
        name="modes",
        launcher=("-m", "bench._pipeline_clock", str(log)),
    ).start()
    try:
        parent, _ = job_submit_once(
            artist=artist, idempotency_key="", prompt="a harbour at dawn", duration_seconds=2,
            **SIZE,
        )  # fmt: skip
        [parent] = wait_all_terminal([parent.pk], timeout=120)
        assert parent.status == JobStatus.SUCCEEDED, parent.error_message
        all_cases = cases(image_id=image.pk, parent_id=parent.pk)
        for case in all_cases:  # warm-up: each case's first submission pays one-off costs
            measure(artist=artist, case=Case(case.name, case.outputs, case.request), number=0,
                    log=log)  # fmt: skip
        for round_ in range(args.rounds):
            turn = round_ % len(all_cases)
            for case in all_cases[turn:] + all_cases[:turn]:
                measure(artist=artist, case=case, number=round_ + 1, log=log)
    except BaseException:
        print("\n".join(["the worker's last lines:", *worker.lines[-60:]]), file=sys.stderr)
        raise
    finally:
        worker.stop()
        log.unlink(missing_ok=True)
        folder.rmdir()

    print(machine_line())
    print(date_line(started, load))
    print(
        f"{args.rounds} round(s), each case once per round, after one warm-up submission each; "
        "jobs of 2 s, 480p 16:9 on the tiny models (17 frames at 80x48, 4 steps); medians of "
        "wall and pipeline, overhead median and p95"
    )
    for case in all_cases:
        for line in report(case):
            print(line)
    for line in table(all_cases):
        print(line)


if __name__ == "__main__":
    main()
