"""Fair order versus FIFO: who waits behind one artist's backlog (issue 16; jobs.scheduling).

    .venv/bin/python bench/fairness.py [--backlog 100] [--others 10] [--workers 8]
        [--duration 1.0]
    .venv/bin/python bench/fairness.py --smoke   # seconds: tests/test_benchmarks.py

It measures **the scheduler, not rendering**. Jobs are real rows in a throwaway PostgreSQL
(tests/servers.py), submitted with the product's own ``jobs.services.job_submit`` (every
rule of a real submission runs; the artists are benchmark accounts,
``containment.services.benchmark_account_exempt``). Each job then "runs" for a fixed
``--duration`` on one of ``--workers`` bench worker threads, each a loop of claim → sleep
→ finish, where the claim is, for each order:

- **fair**: the product's claim, ``jobs.worker.job_claim_next`` (the fair line of
  ``jobs.scheduling``, ``SELECT ... FOR UPDATE SKIP LOCKED``, then ``jobs.worker.job_claim``);
- **fifo**: the oldest queued job (``created_at``, ``id``) locked the same way, then the same
  ``jobs.worker.job_claim``: arrival order, built here, in this process only (the product's
  order is never switched).

Finish is the success transaction's change of the row (succeeded, progress 1,
``finished_at``), fenced by the attempt as the worker's is; no output is made. A thread with
nothing to claim looks again 20 ms later (the broker's wake-up is not part of this).

Scenario, the same for both orders, each on fresh cohorts and artists: artist A queues
``--backlog`` jobs; the workers start one after another, ``duration / workers`` apart (a
backlog in steady state, not every worker in step); ``--arrive-after`` job durations later
``--others`` other artists queue one job each, at once (half in A's cohort: the round robin
across artists; half in a second cohort of the same weight: the fair share across
cohorts). Waits are ``started_at - created_at`` as PostgreSQL holds them; throughput is
all jobs over first start → last finish.

Required (issue 16): with the fair order each of the others starts within 2 job durations
of submitting, and throughput is within 5 % of FIFO's. No order can start a burst of K
jobs on W busy workers sooner than about ceil(K / W) durations: with fewer workers than
others/2 the first figure is the machine's capacity, not the order (it is printed).
"""

from __future__ import annotations

import argparse
import math
import os
import platform as stdlib_platform
import statistics
import sys
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "platform")]
os.chdir(ROOT)

import tests.servers  # noqa: E402,F401  (starts PostgreSQL and Redis, sets the environment)

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
# No reaper runs here; a lease only has to outlast one simulated job.
os.environ["VERNISSAGE_LEASE_SECONDS"] = "120"
os.environ["VERNISSAGE_ACCESS_LOG"] = "false"
# Each bench worker thread keeps its connection, as a worker process does.
os.environ.setdefault("DATABASE_CONN_MAX_AGE", "60")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import close_old_connections, connection, transaction  # noqa: E402
from django.db.models import F  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import User  # noqa: E402
from cohorts.models import Cohort  # noqa: E402
from jobs.models import Job, JobStatus  # noqa: E402

ORDERS = ("fifo", "fair")


def percentile(values: list[float], q: float) -> float:
    """Nearest rank."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q / 100 * len(ordered)) - 1)]


def claim_fifo(model: str) -> Job | None:
    """Arrival order: the oldest queued job, locked and claimed the way the product's claim
    does it (``jobs.worker.job_claim``), so only the order differs."""
    from jobs.worker import job_claim  # local import: after django.setup()

    for _ in range(3):
        with transaction.atomic():
            free = (
                Job.objects.select_for_update(skip_locked=True)
                .filter(status=JobStatus.QUEUED, model=model, attempt__lt=F("max_attempts"))
                .order_by("created_at", "pk")
                .values_list("pk", flat=True)
                .first()
            )
            if free is None:
                return None
            job = job_claim(job_id=free)
        if job is not None:
            return job
    return None


def claim_fair(model: str) -> Job | None:
    from jobs.worker import job_claim_next  # local import: after django.setup()

    return job_claim_next(models=[model])


@dataclass
class Run:
    order: str
    a_ids: list[int]
    other_ids: list[int]
    cohort_of: dict[int, str]
    errors: list[BaseException]


def make_artist(*, email: str, cohort: Cohort) -> User:
    from accounts.roles import Role  # local import: after django.setup()
    from accounts.services import user_create  # local import: after django.setup()
    from agreements.services import agreement_accept  # local import: after django.setup()
    from containment.services import (  # local import: after django.setup()
        benchmark_account_exempt,
    )

    artist = user_create(email=email, password=None, role=Role.ARTIST, cohort=cohort)
    # A backlog of 100 in a second: a benchmark account (no shared-account watch, no
    # per-account API budget); quotas, pauses and every other rule still hold.
    benchmark_account_exempt(user=artist)
    agreement_accept(user=artist, typed_full_name="Bench Artist", ip_address=None, user_agent="")
    return artist


def run_order(order: str, args: argparse.Namespace) -> Run:
    from cohorts.services import cohort_create  # local import: after django.setup()
    from jobs.services import job_submit  # local import: after django.setup()

    model = settings.GENERATION_DEFAULT_MODEL
    quota = args.backlog + 10
    first = cohort_create(actor=None, name=f"{order} wave 1", capacity=100,
                          daily_generation_quota=quota)  # fmt: skip
    second = cohort_create(actor=None, name=f"{order} wave 2", capacity=100,
                           daily_generation_quota=quota)  # fmt: skip
    a = make_artist(email=f"a.{order}@bench.example", cohort=first)
    others = [
        make_artist(email=f"other{i}.{order}@bench.example", cohort=first if i % 2 == 0 else second)
        for i in range(args.others)
    ]

    def submit(artist: User, prompt: str) -> int:
        job = job_submit(
            artist=artist, prompt=prompt, model=model, duration_seconds=2, resolution="480p",
            aspect_ratio="16:9",
        )  # fmt: skip
        return job.pk

    a_ids = [submit(a, f"backlog {i}") for i in range(args.backlog)]
    claim = claim_fifo if order == "fifo" else claim_fair
    stop = threading.Event()
    errors: list[BaseException] = []

    def worker(index: int) -> None:
        try:
            stop.wait(index * args.duration / args.workers)
            while not stop.is_set():
                job = claim(model)
                if job is None:
                    stop.wait(0.02)
                    continue
                time.sleep(args.duration)
                done = Job.objects.filter(
                    pk=job.pk, status=JobStatus.RUNNING, attempt=job.attempt
                ).update(
                    status=JobStatus.SUCCEEDED, progress=1.0, finished_at=timezone.now(),
                    lease_expires_at=None,
                )  # fmt: skip
                assert done == 1, f"job {job.pk}: lost its claim"
        except BaseException as error:  # reported by the main thread
            errors.append(error)
            stop.set()
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(args.workers)]
    for thread in threads:
        thread.start()
    time.sleep(args.arrive_after * args.duration)
    other_ids = [submit(artist, f"one of mine {i}") for i, artist in enumerate(others)]
    deadline = time.monotonic() + 60 + 4 * (args.backlog + args.others) * args.duration
    all_ids = [*a_ids, *other_ids]
    while (
        not errors
        and Job.objects.filter(
            pk__in=all_ids, status__in=[JobStatus.QUEUED, JobStatus.RUNNING]
        ).exists()
    ):
        if time.monotonic() > deadline:
            errors.append(TimeoutError(f"{order}: the jobs did not all finish"))
            break
        time.sleep(0.05)
    stop.set()
    for thread in threads:
        thread.join(timeout=30)
    close_old_connections()
    cohort_of = {pk: ("A's cohort" if i % 2 == 0 else "other cohort") for i, pk in
                 enumerate(other_ids)}  # fmt: skip
    return Run(order=order, a_ids=a_ids, other_ids=other_ids, cohort_of=cohort_of, errors=errors)


def report(run: Run, *, duration: float) -> dict[str, float]:
    jobs = {job.pk: job for job in Job.objects.filter(pk__in=[*run.a_ids, *run.other_ids])}
    not_done = [pk for pk, job in jobs.items() if job.status != JobStatus.SUCCEEDED]
    assert not not_done, f"{run.order}: jobs that did not succeed: {not_done}"

    def wait(pk: int) -> float:
        job = jobs[pk]
        assert job.started_at is not None
        return (job.started_at - job.created_at).total_seconds()

    others = [wait(pk) for pk in run.other_ids]
    a_waits = [wait(pk) for pk in run.a_ids]
    began = min(job.started_at for job in jobs.values())  # type: ignore[type-var]
    ended = max(job.finished_at for job in jobs.values())  # type: ignore[type-var]
    span = (ended - began).total_seconds()  # type: ignore[operator]
    throughput = 60 * len(jobs) / span
    name = run.order
    print(
        f"{name}: others' wait: max={max(others):.2f} s ({max(others) / duration:.2f} jobs) "
        f"p95={percentile(others, 95):.2f} s ({percentile(others, 95) / duration:.2f} jobs) "
        f"median={statistics.median(others):.2f} s"
    )
    for cohort in ("A's cohort", "other cohort"):
        waits = [wait(pk) for pk in run.other_ids if run.cohort_of[pk] == cohort]
        if waits:
            print(f"{name}:   of them in {cohort}: max={max(waits):.2f} s (n={len(waits)})")
    print(
        f"{name}: artist A's wait: max={max(a_waits):.2f} s p95={percentile(a_waits, 95):.2f} s "
        f"median={statistics.median(a_waits):.2f} s (n={len(a_waits)})"
    )
    print(
        f"{name}: throughput: {throughput:.1f} jobs/min ({len(jobs)} jobs, first start -> "
        f"last finish {span:.2f} s)"
    )
    return {"max": max(others), "throughput": throughput}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--backlog", type=int, default=100, help="artist A's jobs")
    parser.add_argument("--others", type=int, default=10, help="other artists, one job each")
    parser.add_argument("--workers", type=int, default=8, help="bench worker threads")
    parser.add_argument("--duration", type=float, default=1.0, help="seconds per job")
    parser.add_argument(
        "--arrive-after", type=float, default=3.0, help="job durations before the others submit"
    )
    parser.add_argument("--smoke", action="store_true", help="12 + 3 jobs, 2 workers, 0.2 s")
    args = parser.parse_args()
    if args.smoke:
        args.backlog, args.others, args.workers, args.duration = 12, 3, 2, 0.2

    call_command("migrate", verbosity=0)
    from agreements.services import (  # local import: after django.setup()
        agreement_version_create,
        agreement_version_publish,
    )

    nda = agreement_version_create(
        actor=None, title="NDA", body="Terms.", effective_at=timezone.now()
    )
    agreement_version_publish(actor=None, version=nda)

    print(
        f"machine: {stdlib_platform.node()} {os.cpu_count()} cores, Python "
        f"{sys.version.split()[0]}, load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}"
    )
    print(f"date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC")
    print(
        f"scenario: artist A queues {args.backlog}, {args.workers} workers, {args.duration:g} s "
        f"per job (simulated: the scheduler, not rendering), then {args.others} other artists "
        f"queue one each at once after {args.arrive_after:g} job durations"
    )
    bound = math.ceil(args.others / args.workers)
    print(f"capacity bound: a burst of {args.others} on {args.workers} busy workers starts "
          f"within about {bound} job duration(s) at best, whatever the order")  # fmt: skip
    figures = {}
    for order in ORDERS:
        run = run_order(order, args)
        if run.errors:
            raise run.errors[0]
        figures[order] = report(run, duration=args.duration)
    fair, fifo = figures["fair"], figures["fifo"]
    within = fair["max"] <= 2 * args.duration
    ratio = fair["throughput"] / fifo["throughput"]
    print(
        f"required: each other artist starts within 2 job durations (fair): "
        f"{'yes' if within else 'NO'} (max {fair['max'] / args.duration:.2f})"
    )
    print(
        f"required: throughput fair / fifo within 5 %: {'yes' if abs(1 - ratio) <= 0.05 else 'NO'} "
        f"({100 * ratio:.1f} %)"
    )
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
