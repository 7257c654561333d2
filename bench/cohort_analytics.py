"""Cohort analytics and the SLA page's charts over 1,000,000 jobs and decisions on
PostgreSQL: server time and query count per page.

    .venv/bin/python bench/cohort_analytics.py [--jobs 1000000] [--requests 20]
    .venv/bin/python bench/cohort_analytics.py --smoke   # seconds: tests/test_benchmarks.py

Starts a throwaway PostgreSQL (tests/servers.py), migrates, bulk-inserts N jobs spread
evenly over the last 120 days (two cohorts, 1,000 artists; each started 0-10 minutes after
submission), their outputs, review items (due 48 h after) and one first-review decision
each (4 in 5 approved, taken 0-71 h after the output, so part late), with SQL, ANALYZEs,
then times /staff/cohorts/<id>/analytics/ (last 30 and 90 days), its CSV, and
/staff/review/sla/ (last 30 and 90 days, all cohorts) in-process with Django's test
client as a program admin. "Server time" is the request's wall time inside Django, with
the database on the same machine. Prints the plan of the decisions-by-day query too.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "platform"), str(ROOT / "bench")]
os.chdir(ROOT)

# First: starts PostgreSQL and Redis and sets up Django; its fill helper is shared.
from review_queue import bench_artists, insert_select, measure, p95  # noqa: E402

# isort: split
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

SPREAD_MINUTES = 120 * 24 * 60


def fill(jobs: int, reviewer_id: int) -> None:
    from accounts.models import User
    from jobs.models import Job, JobStatus, Output
    from moderation.models import ReviewDecision, ReviewItem

    def table(model: Any) -> str:
        return connection.ops.quote_name(model._meta.db_table)

    created = f"now() - (g %% {SPREAD_MINUTES}) * interval '1 minute'"
    steps = [
        insert_select(
            Job,
            {
                "artist": "u.id", "cohort": "u.cohort_id", "prompt": "'bench prompt ' || g",
                "duration_seconds": "2", "resolution": "'480p'", "aspect_ratio": "'16:9'",
                "seed": "g", "model": "'tiny-wan'", "num_frames": "17", "width": "80",
                "height": "48", "fps": "8", "steps": "4", "guidance": "5.0",
                "status": f"'{JobStatus.SUCCEEDED.value}'", "progress": "1.0", "attempt": "1",
                "created_at": created,
                "started_at": f"{created} + (g %% 600) * interval '1 second'",
                "finished_at": f"{created} + (g %% 600 + 60) * interval '1 second'",
            },
            f"FROM generate_series(1, %(n)s) g JOIN {table(User)} u "
            "ON u.email = 'artist' || (1 + g %% 1000) || '@bench.example'",
        ),
        insert_select(
            Output,
            {
                "job": "id", "video": "'outputs/bench/' || id || '.mp4'",
                "poster": "'outputs/bench/' || id || '.jpg'", "width": "80", "height": "48",
                "fps": "8", "frame_count": "17", "duration_seconds": "2.1", "codec": "'h264'",
                "size_bytes": "1000", "sha256": "repeat('0', 64)", "created_at": "finished_at",
            },
            f"FROM {table(Job)}",
        ),
        insert_select(
            ReviewItem,
            {
                "output": "o.id", "artist": "j.artist_id", "cohort": "j.cohort_id",
                "status": "CASE WHEN o.id %% 5 = 0 THEN 'rejected' ELSE 'approved' END",
                "reason_code": "'other'", "decided_by": "%(reviewer)s",
                "created_at": "j.finished_at", "due_at": "j.finished_at + interval '48 hours'",
                "decided_at": "j.finished_at + (o.id %% 72) * interval '1 hour'",
            },
            f"FROM {table(Output)} o JOIN {table(Job)} j ON j.id = o.job_id",
        ),
        insert_select(
            ReviewDecision,
            {
                "item": "id", "reviewer": "%(reviewer)s", "reviewer_role": "'reviewer'",
                "stage": "'review'", "outcome": "status", "reason_code": "reason_code",
                "created_at": "decided_at",
            },
            f"FROM {table(ReviewItem)}",
        ),
    ]  # fmt: skip
    with connection.cursor() as cursor:
        for sql, params in steps:
            cursor.execute(sql, {**params, "n": jobs, "reviewer": reviewer_id})


# What a migration would add for these pages (docs/benchmarks.md, "Cohort analytics"):
# decisions by day read ReviewDecision by created_at, which nothing indexes; a cohort's
# jobs by day read jobs by (cohort, created_at).
PROPOSED_INDEXES = [
    "CREATE INDEX bench_decision_created ON moderation_reviewdecision (created_at)",
    "CREATE INDEX bench_job_cohort_created ON jobs_job (cohort_id, created_at)",
]


def run_cases(client: Client, cases: dict[str, str], requests: int) -> None:
    """Each case's figures, then the slowest queries of one more request."""
    for name, url in cases.items():
        times, counts = measure(client, url, requests, warmup=2)
        print(
            f"{name:28s} median={statistics.median(times):7.1f} ms  p95={p95(times):7.1f} ms  "
            f"queries={sorted(counts)}"
        )
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        slowest = sorted(queries.captured_queries, key=lambda q: -float(q["time"]))[:3]
        for query in slowest:
            print(f"    {float(query['time']) * 1000:7.1f} ms  {query['sql'][:110]}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--jobs", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--smoke", action="store_true", help="300 jobs, 1 timed request each")
    parser.add_argument(
        "--proposed-indexes",
        action="store_true",
        help="then add the indexes docs/benchmarks.md proposes (no migration) and time again",
    )
    args = parser.parse_args()
    if args.smoke:
        args.jobs, args.requests = 300, 1

    call_command("migrate", verbosity=0)

    from accounts.roles import Role
    from accounts.services import user_create
    from cohorts.services import cohort_create
    from jobs.models import Job
    from moderation.trends import review_days
    from tests.conftest import give_totp, record_full_sign_in
    from web.periods import last_days

    c1 = cohort_create(actor=None, name="Bench A", capacity=1000)
    c2 = cohort_create(actor=None, name="Bench B", capacity=1000)
    admin = user_create(email="admin@bench.example", password=None, role=Role.PROGRAM_ADMIN)
    reviewer = user_create(email="reviewer@bench.example", password=None, role=Role.REVIEWER)
    give_totp(admin)
    started = time.perf_counter()
    bench_artists(c1, c2)
    fill(args.jobs, reviewer.pk)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    fill_seconds = time.perf_counter() - started

    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(admin)
    record_full_sign_in(client, admin)
    page = f"/staff/cohorts/{c1.pk}/analytics/"
    cases = {
        "analytics, last 30 days": f"{page}?last=30",
        "analytics, last 90 days": f"{page}?last=90",
        "analytics CSV, last 30 days": f"{page}export.csv?last=30",
        "SLA page, last 30 days": "/staff/review/sla/?last=30",
        "SLA page, last 90 days": "/staff/review/sla/?last=90",
    }
    load = os.getloadavg()[0]
    print(f"date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC; {os.cpu_count()} cores; load {load:.1f}")
    print(f"jobs: {Job.objects.count():,} (filled in {fill_seconds:.0f} s)")
    run_cases(client, cases, args.requests)
    if args.proposed_indexes:
        with connection.cursor() as cursor:
            for sql in PROPOSED_INDEXES:
                cursor.execute(sql)
            cursor.execute("ANALYZE")
        print("with the proposed indexes:")
        run_cases(client, cases, args.requests)
    with CaptureQueriesContext(connection) as captured:
        review_days(period=last_days(30), cohort_id=c1.pk)
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + captured.captured_queries[-1]["sql"])
        plan = [row[0] for row in cursor.fetchall()]
    print("plan, decisions by day (one cohort, 30 days):", *plan[:12], sep="\n  ")


if __name__ == "__main__":
    main()
