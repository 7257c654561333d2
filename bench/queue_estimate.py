"""How accurate the queue estimate is (issue 14; jobs.estimates).

    .venv/bin/python bench/queue_estimate.py [--history 12] [--jobs 20] [--workers 1] [--mixed]
        [--per-job] [--poll-every 1.0] [--history-backlog]

Starts its own throwaway PostgreSQL and Redis (tests/servers.py), migrates, builds the tiny
model and starts real Celery workers on the gpu queue (solo pool; their heartbeats are
the live worker count). Then:

1. history: submits ``--history`` jobs one at a time (2 s and 5 s videos at 480p, in turn)
   through the real API and waits for each: the recent run times the estimate rests on
   (``--history-backlog``: submits them at once and waits for all, so they run as a backlog,
   each render beside the last output's post-processing, as the burst's will);
2. burst: submits ``--jobs`` more at once (the same mix), and while any is unfinished,
   every ``--poll-every`` seconds (1) reads each job's estimate as the job page's poll gets it
   (``GET /api/v1/generations/<id>/``, the artist's session);
3. compares each prediction with what happened (``started_at``, ``finished_at``) and prints
   the median and p90 absolute error, in seconds: of the start predicted while queued, of
   the finish predicted while queued and while running, and of the first prediction each
   job got (right after submitting).

``--mixed`` (issue 16) makes the backlog mixed: four artists in two cohorts of weights 1
and 2, submitting in turn, and four sizes (2 s and 5 s at 480p and at 720p: different
frames and frame sizes) in the history and in the burst; the line is then the fair order
(jobs.scheduling), not arrival. In every mode each burst job's estimate is also read right
after its own submission (``GET`` as above) and once more when the whole burst is in, and
the start error of those is printed as a fraction of the job's actual wait (submit →
``started_at``): the median is issue 16's figure (target ≤ 25 %). Jobs that waited less
than the line's median pace (start → next start in the burst: with post-processing
overlapped, less than a run; the head of the line, whose estimate is "now" in whole
seconds) are left out of the fractions and counted. ``--per-job`` prints each burst job (size, place read
once the burst was in, wait, run, predicted wait); ``--poll-every`` spaces the burst's
polls (on a 2-core machine the bench's own polls slow the worker they are timing).

``--smoke`` runs a small version (3 + 2 jobs; with ``--mixed``, 4 + 3) for
tests/test_benchmarks.py.
"""

from __future__ import annotations

import argparse
import itertools
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
# --mixed: (duration_seconds, resolution) in turn, and the artists' cohorts (weights 1 and 2).
MIX = ((2, "480p"), (5, "480p"), (2, "720p"), (5, "720p"))
MIXED_ARTISTS = 4


@dataclass
class Prediction:
    job_id: int
    at: float
    status: str
    start: float | None
    finish: float | None
    # "submit": right after the job's own submission; "burst": once the whole burst is in.
    when: str = "poll"
    position: int | None = None


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


def fraction_summary(name: str, errors: list[float], left_out: int) -> str:
    if not errors:
        return f"{name}: no predictions ({left_out} left out)"
    return (
        f"{name}: n={len(errors)} median={100 * statistics.median(errors):.1f} % "
        f"p90={100 * percentile(errors, 90):.1f} % max={100 * max(errors):.1f} % "
        f"({left_out} left out: running when read, or waited less than the median start -> "
        "next start)"
    )


def _waited(read: Prediction | None, created: float) -> str:
    if read is None or read.start is None:
        return "-"
    return f"{read.start - created:.2f} (pos {read.position}, {read.status})"


def seconds(text: str | None) -> float | None:
    if text is None:
        return None
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--history", type=int, default=12)
    parser.add_argument("--jobs", type=int, default=20)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--mixed", action="store_true", help="4 artists, 2 cohorts, 4 sizes")
    parser.add_argument("--per-job", action="store_true", help="print each burst job's figures")
    parser.add_argument(
        "--history-backlog", action="store_true",
        help="submit the history jobs at once (a backlog, as the burst) instead of one at a time",
    )  # fmt: skip
    parser.add_argument(
        "--poll-every", type=float, default=1.0,
        help="seconds between polls of the burst (the bench's polls share the worker's CPU)",
    )  # fmt: skip
    parser.add_argument(
        "--smoke", action="store_true", help="3 history jobs, 2 in the burst (--mixed: 4 + 3)"
    )
    args = parser.parse_args()
    if args.smoke:
        args.history, args.jobs = (4, 3) if args.mixed else (3, 2)

    call_command("migrate", verbosity=0)
    call_command("build_tiny_model", os.environ["VERNISSAGE_TINY_MODEL_PATH"], verbosity=0)

    from accounts.roles import Role
    from accounts.services import user_create
    from agreements.services import (
        agreement_accept,
        agreement_version_create,
        agreement_version_publish,
    )
    from cohorts.models import Cohort
    from cohorts.services import cohort_create
    from containment.services import benchmark_account_exempt
    from tests.workers import WorkerProcess

    cohorts = [cohort_create(actor=None, name="Bench", capacity=10, daily_generation_quota=10_000)]
    if args.mixed:
        cohorts.append(
            cohort_create(actor=None, name="Bench 2", capacity=10, daily_generation_quota=10_000)
        )
        Cohort.objects.filter(pk=cohorts[1].pk).update(scheduling_weight=2)
    nda = agreement_version_create(
        actor=None, title="NDA", body="Terms.", effective_at=timezone.now()
    )
    agreement_version_publish(actor=None, version=nda)
    clients = []
    for i in range(MIXED_ARTISTS if args.mixed else 1):
        artist = user_create(
            email=f"bench{i}@example.com", password=None, role=Role.ARTIST,
            cohort=cohorts[i % len(cohorts)],
        )  # fmt: skip
        # Every unfinished job is polled about once a second, a burst is submitted at
        # machine pace: a benchmark account (no per-account API budget, no shared-account
        # watch).
        benchmark_account_exempt(user=artist)
        agreement_accept(
            user=artist, typed_full_name="Bench Artist", ip_address=None, user_agent=""
        )
        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(artist)
        clients.append(client)
    owner: dict[int, Client] = {}

    def submit(i: int) -> int:
        if args.mixed:
            duration, resolution = MIX[(i + i // len(MIX)) % len(MIX)]
        else:
            duration, resolution = DURATIONS[i % len(DURATIONS)], "480p"
        client = clients[i % len(clients)]
        response = client.post(
            "/api/v1/generations/",
            {
                "prompt": f"a red bird over the sea {i}",
                "duration_seconds": duration,
                "resolution": resolution,
                "aspect_ratio": "16:9",
            },
            content_type="application/json",
        )
        assert response.status_code == 201, response.content
        job_id = int(response.json()["id"])
        owner[job_id] = client
        return job_id

    def predict(job_id: int, when: str) -> Prediction | None:
        at = time.time()
        response = owner[job_id].get(f"/api/v1/generations/{job_id}/")
        assert response.status_code == 200, response.content
        body = response.json()
        queue = body["queue"]
        if queue is None:
            return None
        # Issue 16's names at the top level when the API has them, else the queue's.
        start = body.get("estimated_start_at", queue["estimated_start"])
        finish = body.get("estimated_finish_at", queue["estimated_finish"])
        return Prediction(
            job_id=job_id, at=at, status=body["status"], start=seconds(start),
            finish=seconds(finish), when=when, position=queue["position"],
        )  # fmt: skip

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
    at_submit: list[Prediction] = []
    try:
        learned = []
        for i in range(args.history):
            learned.append(submit(i))
            if not args.history_backlog:
                wait_all(learned[-1:])
        wait_all(learned)
        burst = []
        for i in range(args.jobs):
            burst.append(submit(args.history + i))
            made = predict(burst[-1], "submit")
            if made is not None:
                at_submit.append(made)
        for job_id in burst:
            made = predict(job_id, "burst")
            if made is not None:
                at_submit.append(made)
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
                made = predict(job_id, "poll")
                if made is not None:
                    predictions.append(made)
            time.sleep(args.poll_every)
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
    # Issue 16's figure: |predicted start - started_at| / (started_at - created_at), for the
    # estimate read right after the job's submission and once the whole burst was in.
    typical_run = statistics.median(runs)
    # The head of the line (left out): a wait shorter than the line's pace, start -> next
    # start (with post-processing overlapped, a job ahead costs less than its run).
    by_start = sorted(j.started_at.timestamp() for j in jobs.values())  # type: ignore[union-attr]
    pace = (
        statistics.median(b - a for a, b in itertools.pairwise(by_start))
        if len(by_start) > 1
        else typical_run
    )
    # What each burst job held its worker for: its start -> the next start on the line
    # (the last one: its run). Used to take out of a job's wait the time spent on jobs
    # submitted after its estimate was read that the fair order put ahead of it.
    held = {
        a.pk: (b.started_at.timestamp() - a.started_at.timestamp())  # type: ignore[union-attr]
        for a, b in itertools.pairwise(
            sorted(jobs.values(), key=lambda j: j.started_at.timestamp())  # type: ignore[union-attr]
        )
    }
    net_of_overtaking: list[float] = []
    fractions: dict[str, list[float]] = {"submit": [], "burst": []}
    seconds_off: dict[str, list[float]] = {"submit": [], "burst": []}
    left_out = {"submit": 0, "burst": 0}
    missing = {"submit": 0, "burst": 0}
    moved: dict[str, list[int]] = {"submit": [], "burst": []}
    for p in at_submit:
        job = jobs[p.job_id]
        assert job.started_at is not None
        if p.status != JobStatus.QUEUED:
            left_out[p.when] += 1  # already running when read: no start to predict
            continue
        if p.start is None:
            missing[p.when] += 1
            continue
        wait = job.started_at.timestamp() - job.created_at.timestamp()
        error = abs(p.start - job.started_at.timestamp())
        # Its place when read against the jobs that really started before it after that
        # (burst jobs submitted later that the fair order put ahead of it, or behind).
        if p.position is not None:
            actual = 1 + sum(
                1
                for other in jobs.values()
                if other.started_at is not None
                and p.at < other.started_at.timestamp() < job.started_at.timestamp()
            )
            moved[p.when].append(actual - p.position)
        seconds_off[p.when].append(error)
        if wait < pace:
            left_out[p.when] += 1
            continue
        fractions[p.when].append(error / wait)
        if p.when == "submit":
            # Later arrivals no estimate read now can see (the fair order, by design):
            # their time on the workers, shared among them, comes off the actual start.
            overtook = (
                sum(
                    held.get(other.pk, typical_run)
                    for other in jobs.values()
                    if other.created_at.timestamp() > p.at
                    and other.started_at is not None
                    and other.started_at < job.started_at
                )
                / args.workers
            )
            known_start = job.started_at.timestamp() - overtook
            known_wait = known_start - job.created_at.timestamp()
            if known_wait >= pace:
                net_of_overtaking.append(abs(p.start - known_start) / known_wait)

    print(
        f"machine: {stdlib_platform.node()} {os.cpu_count()} cores, Python "
        f"{sys.version.split()[0]}, load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}"
    )
    print(f"date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC")
    if args.mixed:
        mix = ", ".join(f"{d} s {r}" for d, r in MIX)
        shape = f"mixed: {len(clients)} artists in 2 cohorts (weights 1, 2), sizes {mix} in turn"
    else:
        shape = f"{'/'.join(map(str, DURATIONS))} s at 480p in turn, 1 artist"
    print(
        f"history {args.history} jobs ({'a backlog' if args.history_backlog else 'one at a time'}),"
        f" burst {args.jobs} jobs ({shape}), {args.workers} "
        f"worker(s); {len(predictions)} polls, {no_estimate} without an estimate"
    )
    print(
        f"actual wait (created -> started): median {statistics.median(waits):.2f} s, "
        f"max {max(waits):.2f} s; run (started -> finished): median "
        f"{typical_run:.2f} s"
    )
    # What a worker's line really costs per job: consecutive starts of the burst, and the
    # gap from one job's finished_at to the next one's started_at (outside every run time
    # the estimate learns from).
    ordered = sorted(jobs.values(), key=lambda j: j.started_at)  # type: ignore[arg-type,return-value]
    steps = [
        (b.started_at - a.started_at).total_seconds()  # type: ignore[operator]
        for a, b in itertools.pairwise(ordered)
    ]
    gaps = [
        (b.started_at - a.finished_at).total_seconds()  # type: ignore[operator]
        for a, b in itertools.pairwise(ordered)
    ]
    if steps and args.workers == 1:
        print(
            f"burst, one worker: start -> next start median {statistics.median(steps):.2f} s, "
            f"mean {statistics.mean(steps):.2f} s; finished -> next started median "
            f"{statistics.median(gaps):.2f} s, p90 {percentile(gaps, 90):.2f} s; run mean "
            f"{statistics.mean(runs):.2f} s"
        )
    before = Job.objects.filter(pk__in=learned)
    print(
        "run (started -> finished) of the history jobs: median "
        f"{statistics.median((j.finished_at - j.started_at).total_seconds() for j in before):.2f} s"  # type: ignore[operator]
    )
    # What the estimate's occupancy rests on (jobs.estimates.PastRun): the render and the
    # post-processing beside the next render.
    for label, rows in (("history", list(before)), ("burst", list(jobs.values()))):
        split = [
            ((j.rendered_at - j.started_at).total_seconds(),
             (j.finished_at - j.rendered_at).total_seconds())
            for j in rows
            if j.rendered_at is not None and j.started_at is not None
            and j.finished_at is not None
        ]  # fmt: skip
        if split:
            print(
                f"{label} jobs: render (started -> rendered) median "
                f"{statistics.median(r for r, _ in split):.2f} s, post (rendered -> finished) "
                f"median {statistics.median(p for _, p in split):.2f} s"
            )
    print(summary("start, predicted while queued", start_errors))
    print(summary("finish, predicted while queued", finish_queued))
    print(summary("finish, predicted while running", finish_running))
    print(summary("start, first prediction after submit", first_start))
    print(summary("finish, first prediction after submit", first_finish))
    for when, label in (("submit", "at its submission"), ("burst", "once the burst was in")):
        print(summary(f"start, read {label}", seconds_off[when]))
        print(
            fraction_summary(f"start error / actual wait, read {label}", fractions[when],
                             left_out[when])
            + f", {missing[when]} without an estimate"
        )  # fmt: skip
        if when == "submit":
            print(
                fraction_summary(
                    "start error / actual wait, read at its submission, net of later "
                    "arrivals that overtook it",
                    net_of_overtaking,
                    len(fractions[when]) - len(net_of_overtaking),
                )
            )
        shifts = moved[when]
        print(
            f"position read {label} vs jobs that started before it: "
            f"{sum(1 for m in shifts if m == 0)} same, {sum(1 for m in shifts if m > 0)} "
            f"later (overtaken by up to {max([0, *shifts])}), "
            f"{sum(1 for m in shifts if m < 0)} earlier (by up to {-min([0, *shifts])})"
        )
    if args.per_job:
        read = {p.job_id: p for p in at_submit if p.when == "burst"}
        first_read = {p.job_id: p for p in at_submit if p.when == "submit"}
        print(
            "per job (burst order): id size artist position wait run predicted-wait "
            "(once the burst was in) / at submission"
        )
        for job in sorted(jobs.values(), key=lambda j: j.pk):
            seen_as = read.get(job.pk)
            created = job.created_at.timestamp()
            predicted = (
                "-"
                if seen_as is None or seen_as.start is None
                else f"{seen_as.start - created:.2f}"
            )
            print(
                f"  {job.pk} {job.duration_seconds}s/{job.resolution} "
                f"{job.num_frames}x{job.width}x{job.height} artist {job.artist_id} "
                f"pos {None if seen_as is None else seen_as.position} "
                f"wait {(job.started_at - job.created_at).total_seconds():.2f} "  # type: ignore[operator]
                f"run {(job.finished_at - job.started_at).total_seconds():.2f} "  # type: ignore[operator]
                f"predicted {predicted} / {_waited(first_read.get(job.pk), created)}"
            )
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
