"""Generation benchmarks: per-job platform overhead and submit → first-step latency.

    .venv/bin/python bench/generation_latency.py [--jobs 30] [--samples 100] [--backlog 1000]
        [--profile 20]
    .venv/bin/python bench/generation_latency.py --smoke   # seconds: tests/test_benchmarks.py

Starts its own throwaway PostgreSQL and Redis (tests/servers.py), migrates, builds the tiny
model, starts one real Celery worker on the gpu queue (solo pool, model preloaded) and
measures through the real API (Django test client, session auth):

1. overhead: for N jobs (2 s, 480p 16:9 on the tiny model: 17 frames at 80x48, 4 steps),
   job wall time (created_at → finished_at, read from PostgreSQL) minus the bare GPU-side
   time for the same parameters: everything the worker does to the output, measured in
   this process with the worker's own functions and a warm pipeline, in the worker's
   order (render, marks: visible when the cohort has it + forensic, encode, C2PA sign and
   read back, poster, probe, sha256). Each stage's median is printed too, and the job's
   own timestamps split the wall time (created → started: the broker hop and the claim).
2. latency: for M submits with the worker idle, POST start → first denoising step done
   (Job.first_step_at), first with an empty table, then with a backlog of 1,000 jobs
   queued in PostgreSQL that the idle worker may not run: they are for another model
   (``BACKLOG_MODEL``, enabled here, served by no worker: "waiting for capacity") and
   their wake-ups go to another queue of the same Redis broker. With fair scheduling
   (issue 16) a worker runs the fairest waiting job of its model whatever woke it, so a
   backlog of its own model would simply be run: "an idle worker and 1,000 queued" can
   only be 1,000 waiting for other capacity.
3. ``--profile N``: N more jobs run with the worker's own ``job_run`` in this process under
   cProfile (no broker): the run's wall time and, per job, how much of it each step took.

The benchmark's artist submits at machine pace (a backlog of 1,000 in seconds), which the
shared-account watch and the per-account API budget would rightly stop in production: it
is made a benchmark account (``containment.services.benchmark_account_exempt``, in this
throwaway database only); every other protection stays on.
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
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "platform")]
os.chdir(ROOT)

import tests.servers  # noqa: E402,F401  (starts PostgreSQL and Redis, sets the environment)

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ["VERNISSAGE_LEASE_SECONDS"] = "30"
# Web and worker keep their database connection between requests and jobs, as production
# does (deploy/systemd/vernissage.env.example); the test servers' default, 0, would open
# a new PostgreSQL connection for every job (about 6 ms of "overhead" on this VM).
os.environ.setdefault("DATABASE_CONN_MAX_AGE", "60")
# The backlog's model is enabled (artists may pick it) but no worker here serves it; the
# worker serves the default, tiny-wan, and never loads another.
BACKLOG_MODEL = "wan2.1-t2v-1.3b"
os.environ["VERNISSAGE_MODELS"] = f"tiny-wan,{BACKLOG_MODEL}"

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

from bench._stack import bench_artist, summary, wait_terminal  # noqa: E402
from jobs.models import Job, JobStatus  # noqa: E402

REQUEST = {"duration_seconds": 2, "resolution": "480p", "aspect_ratio": "16:9"}


# What the worker does to one output, in its order (jobs.worker._encode_and_store).
STAGES = ("render", "marks", "encode", "sign", "poster", "probe", "sha256")


class BareSide:
    """Everything the worker does to ``job``'s output, with the functions it calls and a
    warm pipeline from the same registry, but no broker, claim, lease, heartbeat,
    progress writes, storage copies or database. ``job`` comes with its cohort and artist
    loaded, so the marks and the manifest ask the database nothing here."""

    def __init__(self, job: Job) -> None:
        from generation.runner import RenderRequest
        from jobs.pipelines import registry

        self.job = job
        self.loaded = registry().get(job.model)
        self.request = RenderRequest(
            prompt=job.prompt, negative_prompt=job.negative_prompt, num_frames=job.num_frames,
            height=job.height, width=job.width, seed=job.seed, steps=job.steps,
            guidance=job.guidance,
        )  # fmt: skip

    def sample(self) -> dict[str, float]:
        """One output, timed: each of ``STAGES`` and the total, in ms."""
        from generation.encoding import encode_mp4, probe, sha256_of, write_poster
        from generation.runner import render
        from jobs.marks import output_marks_apply
        from provenance.services import output_sign

        job = self.job
        with tempfile.TemporaryDirectory(prefix="bench-bare-") as name:
            video, poster = Path(name) / "video.mp4", Path(name) / "poster.jpg"
            marks: list[float] = [time.perf_counter()]
            frames = render(self.loaded, self.request, lambda done, total: None)
            marks.append(time.perf_counter())
            frames = output_marks_apply(job, frames)
            marks.append(time.perf_counter())
            encode_mp4(frames, fps=job.fps, path=video)
            marks.append(time.perf_counter())
            output_sign(job=job, path=video)
            marks.append(time.perf_counter())
            write_poster(frames, path=poster)
            marks.append(time.perf_counter())
            probe(video)
            marks.append(time.perf_counter())
            sha256_of(video)
            video.stat()
            marks.append(time.perf_counter())
        timed = {
            stage: (finish - begin) * 1000
            for stage, begin, finish in zip(STAGES, marks[:-1], marks[1:], strict=True)
        }
        return {**timed, "total": (marks[-1] - marks[0]) * 1000}


# Where a worker's run goes (--profile): cumulative time per job of these functions, by
# (file ending, function name).
PROFILED = (
    ("jobs/worker.py", "job_run", "the whole run (job_run)"),
    ("jobs/worker.py", "job_claim", "  claim"),
    ("jobs/worker.py", "_render", "  render, with the per-step callback"),
    ("jobs/worker.py", "__call__", "    per-step callback (cancel check, progress writes)"),
    ("jobs/worker.py", "_encode_and_store", "  output: marks ... store, and the transaction"),
    ("jobs/marks.py", "output_marks_apply", "    marks"),
    ("generation/encoding.py", "encode_mp4", "    encode"),
    ("provenance/services.py", "output_sign", "    C2PA sign + read back"),
    ("generation/encoding.py", "write_poster", "    poster"),
    ("generation/encoding.py", "probe", "    probe"),
    ("generation/encoding.py", "sha256_of", "    sha256"),
    ("django/core/files/storage/base.py", "save", "    storage copies"),
    ("moderation/services.py", "review_item_create", "    review item"),
    ("notifications/services.py", "video_ready_notify", "    'video ready' notification"),
    ("django/db/backends/utils.py", "_execute", "database statements (all of the above)"),
)


def profile_worker_run(*, submit: Any, jobs: int) -> list[str]:
    """Run ``jobs`` jobs with the worker's own ``job_run`` in this process under cProfile
    (their wake-ups go to a queue no worker consumes): where a run's time goes, without
    the broker. The heartbeat thread is not profiled (it is not on the job's path)."""
    import cProfile
    import pstats

    from jobs.worker import job_run

    settings.GENERATION_QUEUE = "gpu-profile"
    ids = [submit(f"profiled {i}")[0] for i in range(jobs + 1)]
    settings.GENERATION_QUEUE = "gpu"
    job_run(job_id=ids[0])  # warm-up
    walls: list[float] = []
    profile = cProfile.Profile()
    for job_id in ids[1:]:
        started = time.perf_counter()
        profile.enable()
        outcome = job_run(job_id=job_id)
        profile.disable()
        walls.append((time.perf_counter() - started) * 1000)
        assert outcome.startswith("succeeded"), outcome
    stats = pstats.Stats(profile).stats  # type: ignore[attr-defined]
    lines = [summary("in-process worker run (job_run, no broker), profiled", walls)]
    for ending, name, label in PROFILED:
        found = [
            (value[1], value[3])
            for (filename, _line, function), value in stats.items()
            if filename.endswith(ending) and function == name
        ]
        calls = sum(count for count, _ in found)
        seconds = max((cumulative for _, cumulative in found), default=0.0)
        lines.append(
            f"  profile {label}: {seconds / jobs * 1000:.1f} ms per job ({calls / jobs:g} calls)"
        )
    own = sorted(stats.items(), key=lambda item: item[1][2], reverse=True)[:15]
    for (filename, line, function), value in own:
        where = filename.split("site-packages/")[-1].replace(str(ROOT) + "/", "")
        lines.append(
            f"  own time: {value[2] / jobs * 1000:6.1f} ms per job, {value[1] / jobs:g} calls: "
            f"{where}:{line} {function}"
        )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--jobs", type=int, default=30)
    parser.add_argument("--samples", type=int, default=100)
    parser.add_argument("--backlog", type=int, default=1000)
    parser.add_argument(
        "--smoke", action="store_true", help="2 jobs, 2 samples, 20 queued, 1 profiled"
    )
    parser.add_argument(
        "--profile", type=int, default=0, metavar="N",
        help="then run N jobs with the worker's code in this process under cProfile",
    )  # fmt: skip
    args = parser.parse_args()
    if args.smoke:
        args.jobs, args.samples, args.backlog, args.profile = 2, 2, 20, 1

    call_command("migrate", verbosity=0)
    model_path = os.environ["VERNISSAGE_TINY_MODEL_PATH"]
    call_command("build_tiny_model", model_path, verbosity=0)

    from tests.workers import WorkerProcess

    artist = bench_artist()  # a benchmark account: machine pace on purpose (see the docstring)
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(artist)

    worker = WorkerProcess(
        queue="gpu", database_name=connection.settings_dict["NAME"], name="bench"
    ).start()
    try:

        def submit(prompt: str, **extra: str) -> tuple[int, float]:
            started = time.time()
            response = client.post(
                "/api/v1/generations/",
                {**REQUEST, "prompt": prompt, **extra},
                content_type="application/json",
            )
            assert response.status_code == 201, response.content
            return response.json()["id"], started

        warm = [wait_terminal(submit(f"warm up {i}")[0]) for i in range(3)]  # web and worker

        # The bare side and the jobs take turns (the worker idles while the bare side
        # runs, and the other way round), so both see the same machine from moment to
        # moment: this VM is shared, and its speed drifts over a run.
        model_job = Job.objects.select_related("cohort", "artist").get(pk=warm[0].pk)
        bare_side = BareSide(model_job)
        for _ in range(2):
            bare_side.sample()  # warm-up
        bare_samples, walls, hops, runs = [], [], [], []
        for i in range(args.jobs):
            bare_samples.append(bare_side.sample())
            job = wait_terminal(submit(f"a red bird over the sea {i}")[0])
            assert job.status == JobStatus.SUCCEEDED, job.error_message
            assert job.finished_at is not None and job.started_at is not None
            walls.append((job.finished_at - job.created_at).total_seconds() * 1000)
            hops.append((job.started_at - job.created_at).total_seconds() * 1000)
            runs.append((job.finished_at - job.started_at).total_seconds() * 1000)
        bare = [sample["total"] for sample in bare_samples]
        stages = {stage: [sample[stage] for sample in bare_samples] for stage in STAGES}
        bare_median = statistics.median(bare)
        overhead = [wall - bare_median for wall in walls]
        paired = [wall - alone for wall, alone in zip(walls, bare, strict=True)]

        def latencies(label: str) -> list[float]:
            values = []
            for i in range(args.samples):
                job_id, started = submit(f"{label} {i}")
                job = wait_terminal(job_id)
                assert job.first_step_at is not None
                values.append((job.first_step_at.timestamp() - started) * 1000)
            return values

        idle = latencies("idle")

        # A backlog: queued jobs in PostgreSQL of a model no worker here serves, their
        # wake-ups on another queue.
        settings.GENERATION_QUEUE = "gpu-backlog"
        for i in range(args.backlog):
            submit(f"backlog {i}", model=BACKLOG_MODEL)
        settings.GENERATION_QUEUE = "gpu"
        queued = Job.objects.filter(status=JobStatus.QUEUED).count()
        with_backlog = latencies("with backlog")
        profiled = profile_worker_run(submit=submit, jobs=args.profile) if args.profile else []
    except BaseException:
        print("\n".join(["the worker's last lines:", *worker.lines[-60:]]), file=sys.stderr)
        raise
    finally:
        worker.stop()

    print(
        f"machine: {stdlib_platform.node()} {os.cpu_count()} cores, Python {sys.version.split()[0]}"
    )
    print(f"date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC")
    marks = "visible + forensic" if model_job.cohort.visible_watermark else "forensic"
    signing = "C2PA sign + read back" if settings.C2PA_SIGNING else "C2PA signing off"
    print(f"bare side does: render, marks ({marks}), encode, {signing}, poster, probe, sha256")
    print(summary("bare GPU side (everything the worker does to the output)", bare))
    for stage in STAGES:
        print(summary(f"  bare stage {stage}", stages[stage]))
    print(summary("job wall time (created_at -> finished_at)", walls))
    print(summary("  created_at -> started_at (commit, broker hop, claim)", hops))
    print(summary("  started_at -> finished_at (the worker's run)", runs))
    print(summary("platform overhead (wall - bare median)", overhead))
    print(summary("platform overhead, paired (wall - the bare sample just before)", paired))
    print(summary("submit -> first step, idle worker, empty table", idle))
    print(
        summary(
            f"submit -> first step, idle worker, {queued} queued jobs (of {BACKLOG_MODEL})",
            with_backlog,
        )
    )
    for line in profiled:
        print(line)


if __name__ == "__main__":
    main()
