"""Review queue with 1,000,000 items on PostgreSQL: server time and query count per page.

    .venv/bin/python bench/review_queue.py [--items 1000000] [--requests 60]

Starts a throwaway PostgreSQL (tests/servers.py), migrates, bulk-inserts N jobs, outputs
and open review items with SQL (two cohorts, 1,000 artists, due times spread over 30 days,
a tenth already overdue), ANALYZEs, then times the staff queue page (/staff/review/) and
the queue API (/api/v1/review/queue/) in-process with Django's test client: the first page,
a page deep in the queue (after the 900,000th item), and filtered pages. "Server time" is
the wall time of the request inside Django, with the database on the same machine.
"""

from __future__ import annotations

import argparse
import os
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

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

FILL = """
INSERT INTO jobs_job (artist_id, cohort_id, prompt, negative_prompt, duration_seconds, resolution,
    aspect_ratio, seed, model, num_frames, width, height, fps, steps, guidance, status, progress,
    attempt, max_attempts, worker, created_at, started_at, finished_at, error_code, error_message,
    quota_refunded, request_id, idempotency_key, request_fingerprint)
SELECT u.id, u.cohort_id, 'bench prompt ' || g, '', 2, '480p', '16:9', g, 'tiny-wan', 17, 80, 48, 8, 4,
       5.0, 'succeeded', 1.0, 1, 3, '', now(), now(), now(), '', '', false, '', '', ''
FROM generate_series(1, %(n)s) g
JOIN accounts_user u ON u.email = 'artist' || (1 + g %% 1000) || '@bench.example';

INSERT INTO jobs_output (job_id, video, poster, width, height, fps, frame_count, duration_seconds,
    codec, size_bytes, sha256, created_at)
SELECT id, 'outputs/bench/' || id || '.mp4', 'outputs/bench/' || id || '.jpg', 80, 48, 8, 17, 2.1,
       'h264', 1000, repeat('0', 64), now()
FROM jobs_job;

INSERT INTO moderation_reviewitem (output_id, artist_id, cohort_id, status, stage, created_at, due_at,
    reason_code, note, appeal_statement, appealed_at)
SELECT o.id, j.artist_id, j.cohort_id,
       CASE WHEN o.id %% 50 = 0 THEN 'appealed' ELSE 'pending' END,
       CASE WHEN o.id %% 50 = 0 THEN 'appeal' ELSE 'review' END,
       now(), now() - interval '3 days' + (o.id %% 30000) * interval '1 minute' * 1.44,
       '', '', CASE WHEN o.id %% 50 = 0 THEN 'appeal statement' ELSE '' END,
       CASE WHEN o.id %% 50 = 0 THEN now() END
FROM jobs_output o JOIN jobs_job j ON j.id = o.job_id;
"""


def measure(client: Client, url: str, requests: int) -> tuple[list[float], set[int]]:
    times, counts = [], set()
    for i in range(requests + 3):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            response = client.get(url)
            elapsed = (time.perf_counter() - started) * 1000
        assert response.status_code == 200, (url, response.status_code)
        if i >= 3:  # warm-up
            times.append(elapsed)
            counts.add(len(queries))
    return times, counts


def p95(values: list[float]) -> float:
    return sorted(values)[max(0, round(0.95 * len(values)) - 1)]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--items", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=60)
    args = parser.parse_args()

    call_command("migrate", verbosity=0)

    from django.contrib.auth.hashers import make_password

    from accounts.models import User
    from accounts.roles import Role
    from accounts.services import user_create
    from cohorts.services import cohort_create
    from moderation.models import ReviewItem
    from moderation.selectors import encode_cursor
    from tests.conftest import give_totp, record_full_sign_in

    c1 = cohort_create(actor=None, name="Bench A", capacity=1000)
    c2 = cohort_create(actor=None, name="Bench B", capacity=1000)
    reviewer = user_create(email="reviewer@bench.example", password=None, role=Role.REVIEWER)
    give_totp(reviewer)  # staff pages need a second factor, passed by this session
    started = time.perf_counter()
    # The artists through the ORM (every column's default filled in), the volume in SQL.
    User.objects.bulk_create(
        User(
            email=f"artist{g}@bench.example",
            full_name=f"Artist {g}",
            password=make_password(None),  # unusable: nobody signs in as them
            cohort=c1 if g % 2 == 0 else c2,
        )
        for g in range(1, 1001)
    )
    with connection.cursor() as cursor:
        cursor.execute(FILL, {"n": args.items})
        cursor.execute("ANALYZE")
    fill_seconds = time.perf_counter() - started
    total = ReviewItem.objects.count()

    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(reviewer)
    record_full_sign_in(client, reviewer)
    deep_item = ReviewItem.objects.order_by("due_at", "id")[int(total * 0.9)]
    deep = encode_cursor(deep_item)
    artist_id = ReviewItem.objects.values_list("artist_id", flat=True).first()
    cases = {
        "page, first": "/staff/review/",
        "page, deep (after 90 %)": f"/staff/review/?after={deep}",
        "page, cohort filter": f"/staff/review/?cohort={c2.pk}",
        "page, artist filter": f"/staff/review/?artist={artist_id}",
        "page, overdue": "/staff/review/?overdue=1",
        "page, appeals": "/staff/review/?appeals=1",
        "API, first": "/api/v1/review/queue/",
        "API, deep (after 90 %)": f"/api/v1/review/queue/?after={deep}",
    }
    print(f"date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC; {os.cpu_count()} cores")
    print(f"review items: {total:,} (filled in {fill_seconds:.0f} s); {timezone.now():%H:%M}")
    for name, url in cases.items():
        times, counts = measure(client, url, args.requests)
        print(
            f"{name:28s} median={statistics.median(times):6.1f} ms  p95={p95(times):6.1f} ms  "
            f"queries={sorted(counts)}"
        )


if __name__ == "__main__":
    main()
