"""Review queue with 1,000,000 items on PostgreSQL: server time and query count per page.

    .venv/bin/python bench/review_queue.py [--items 1000000] [--requests 60]
    .venv/bin/python bench/review_queue.py --smoke   # seconds: tests/test_benchmarks.py

Starts a throwaway PostgreSQL (tests/servers.py), migrates, bulk-inserts N jobs, outputs
and open review items with SQL (two cohorts, 1,000 artists, due times spread over 30 days,
a tenth already overdue; every column the script doesn't spell out takes its model's
default, so columns added later fill themselves), ANALYZEs, then times the staff queue page (/staff/review/) and
the queue API (/api/v1/review/queue/) in-process with Django's test client (each page row
with its poster and filmstrip thumbnails: two signed media links per row): the first page,
a page deep in the queue (after the 900,000th item), and filtered pages (the artist filter
by id, by part of an email and by part of a name: "artist 7" names 111 of the 1,000). Each output has
a pre-screen (2 % flagged, 0.5 % not screened): the flagged and not-screened filters and the
"highest risk first" order, first page and deep, are timed too (issue 18). "Server time" is
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
from typing import Any

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


def insert_select(model: Any, values: dict[str, str], source: str) -> tuple[str, dict[str, Any]]:
    """``INSERT INTO <model's table> (<every column>) SELECT ... <source>``: a column takes
    the SQL expression ``values`` gives for its field, else the model's default (one value
    for every row, as a parameter), else NULL where the column allows it. A column added
    later thus fills itself from its default; one that is NOT NULL with no default stops
    the fill here, by name, instead of as a database error."""
    columns, expressions, params = [], [], {}
    for field in model._meta.concrete_fields:
        if field.primary_key and field.name not in values:
            continue
        columns.append(connection.ops.quote_name(field.column))
        if field.name in values:
            expressions.append(values.pop(field.name))
            continue
        default = field.get_default()
        if default is None and not field.null:
            raise LookupError(
                f"{model._meta.label}.{field.name}: NOT NULL without a default; "
                "give it a value in bench/review_queue.py"
            )
        key = f"{model._meta.model_name}_{field.name}"
        params[key] = field.get_db_prep_save(default, connection)
        expressions.append(f"%({key})s")
    if values:
        raise LookupError(f"{model._meta.label} has no field(s) {sorted(values)}")
    table = connection.ops.quote_name(model._meta.db_table)
    sql = f"INSERT INTO {table} ({', '.join(columns)}) SELECT {', '.join(expressions)} {source}"
    return sql, params


def fill(items: int) -> None:
    """``items`` succeeded jobs of the 1,000 bench artists, their outputs and open review
    items (every 50th an appeal), due times spread so that part is overdue. Only what
    varies per row, or differs from the model's default, is spelt out here."""
    from accounts.models import User
    from jobs.models import Job, JobStatus, Output
    from moderation.models import ReviewItem, ReviewStage, ReviewStatus
    from screening.models import Screening, ScreeningStatus

    def table(model: Any) -> str:
        return connection.ops.quote_name(model._meta.db_table)

    appeal = "o.id %% 50 = 0"
    flagged, not_screened = "o.id %% 50 = 7", "o.id %% 200 = 3"
    steps = [
        insert_select(
            Job,
            {
                "artist": "u.id", "cohort": "u.cohort_id", "prompt": "'bench prompt ' || g",
                "duration_seconds": "2", "resolution": "'480p'", "aspect_ratio": "'16:9'",
                "seed": "g", "model": "'tiny-wan'", "num_frames": "17", "width": "80",
                "height": "48", "fps": "8", "steps": "4", "guidance": "5.0",
                "status": f"'{JobStatus.SUCCEEDED.value}'", "progress": "1.0", "attempt": "1",
                "created_at": "now()", "started_at": "now()", "finished_at": "now()",
            },
            f"FROM generate_series(1, %(n)s) g JOIN {table(User)} u "
            "ON u.email = 'artist' || (1 + g %% 1000) || '@bench.example'",
        ),
        insert_select(
            Output,
            {
                "job": "id", "video": "'outputs/bench/' || id || '.mp4'",
                "poster": "'outputs/bench/' || id || '.jpg'", "width": "80", "height": "48",
                "filmstrip": "'outputs/bench/' || id || '-filmstrip.jpg'",
                "filmstrip_frames": "10", "filmstrip_tile_width": "150",
                "fps": "8", "frame_count": "17", "duration_seconds": "2.1", "codec": "'h264'",
                "size_bytes": "1000", "sha256": "repeat('0', 64)", "created_at": "now()",
            },
            f"FROM {table(Job)}",
        ),
        insert_select(
            ReviewItem,
            {
                "output": "o.id", "artist": "j.artist_id", "cohort": "j.cohort_id",
                "status": f"CASE WHEN {appeal} THEN '{ReviewStatus.APPEALED.value}' "
                f"ELSE '{ReviewStatus.PENDING.value}' END",
                "stage": f"CASE WHEN {appeal} THEN '{ReviewStage.APPEAL.value}' "
                f"ELSE '{ReviewStage.REVIEW.value}' END",
                "created_at": "now()",
                "due_at": "now() - interval '3 days' + (o.id %% 30000) * interval '1 minute' * 1.44",
                "appeal_statement": f"CASE WHEN {appeal} THEN 'appeal statement' ELSE '' END",
                "appealed_at": f"CASE WHEN {appeal} THEN now() END",
                # The item's copies of its screening (below), as review_item_screened makes.
                "flagged": flagged, "not_screened": not_screened,
            },
            f"FROM {table(Output)} o JOIN {table(Job)} j ON j.id = o.job_id",
        ),
        # Pre-screening (issue 18): 2 % flagged (risk 50-99), 0.5 % not screened, the
        # rest screened clean with a low risk (0-29).
        insert_select(
            Screening,
            {
                "output": "o.id",
                "status": f"CASE WHEN {not_screened} THEN '{ScreeningStatus.NOT_SCREENED.value}' "
                f"ELSE '{ScreeningStatus.SCREENED.value}' END",
                "flagged": flagged,
                "risk_score": f"CASE WHEN {flagged} THEN 50 + o.id %% 50 "
                f"WHEN {not_screened} THEN 0 ELSE o.id %% 30 END",
                "flags": f"CASE WHEN {flagged} THEN '[\"FEMALE_BREAST_EXPOSED\"]'::jsonb "
                "ELSE '[]'::jsonb END",
                "classifier": "'nudenet-320n/3.4.2'",
                "created_at": "now()",
            },
            f"FROM {table(Output)} o",
        ),
    ]  # fmt: skip
    with connection.cursor() as cursor:
        for sql, params in steps:
            cursor.execute(sql, {**params, "n": items})


def measure(
    client: Client, url: str, requests: int, *, warmup: int = 3
) -> tuple[list[float], set[int]]:
    """``requests`` timed GETs of ``url`` (ms) after ``warmup`` untimed ones, and the
    query counts seen; every answer must be a 200."""
    times, counts = [], set()
    for i in range(requests + warmup):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            response = client.get(url)
            elapsed = (time.perf_counter() - started) * 1000
        assert response.status_code == 200, (url, response.status_code)
        if i >= warmup:
            times.append(elapsed)
            counts.add(len(queries))
    return times, counts


def thumbnail_ms(reviewer: Any) -> float:
    """CPU time of the first page's ``queue_thumbnails`` tags (poster and filmstrip, each
    with a signed link), rows already read: what thumbnails add to the page's render."""
    from moderation.selectors import review_queue
    from web.templatetags.media_links import queue_thumbnails

    items = review_queue().items
    runs = []
    for _ in range(50):
        started = time.process_time()
        for item in items:
            queue_thumbnails(item.output, reviewer, item_id=item.pk)
        runs.append((time.process_time() - started) * 1000)
    return statistics.median(runs)


def p95(values: list[float]) -> float:
    return sorted(values)[max(0, round(0.95 * len(values)) - 1)]


def bench_artists(first: Any, second: Any) -> None:
    """The 1,000 bench artists (artist1..artist1000@bench.example), alternately in the
    two cohorts, through the ORM so every column's default is filled in; the volume the
    benches add goes in by SQL (``insert_select``)."""
    from django.contrib.auth.hashers import make_password

    from accounts.models import User

    User.objects.bulk_create(
        User(
            email=f"artist{g}@bench.example",
            full_name=f"Artist {g}",
            password=make_password(None),  # unusable: nobody signs in as them
            cohort=first if g % 2 == 0 else second,
        )
        for g in range(1, 1001)
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--items", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=60)
    parser.add_argument("--smoke", action="store_true", help="300 items, 1 timed request each")
    args = parser.parse_args()
    if args.smoke:
        args.items, args.requests = 300, 1

    call_command("migrate", verbosity=0)

    from accounts.roles import Role
    from accounts.services import user_create
    from cohorts.services import cohort_create
    from moderation.models import ReviewItem
    from moderation.selectors import encode_cursor, encode_risk_cursor
    from tests.conftest import give_totp, record_full_sign_in

    c1 = cohort_create(actor=None, name="Bench A", capacity=1000)
    c2 = cohort_create(actor=None, name="Bench B", capacity=1000)
    reviewer = user_create(email="reviewer@bench.example", password=None, role=Role.REVIEWER)
    give_totp(reviewer)  # staff pages need a second factor, passed by this session
    started = time.perf_counter()
    bench_artists(c1, c2)
    fill(args.items)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    fill_seconds = time.perf_counter() - started
    total = ReviewItem.objects.count()

    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(reviewer)
    record_full_sign_in(client, reviewer)
    deep_item = ReviewItem.objects.order_by("due_at", "id")[int(total * 0.9)]
    deep = encode_cursor(deep_item)
    deep_risk = encode_risk_cursor(
        ReviewItem.objects.select_related("output__screening").order_by(
            "-output__screening__risk_score", "output_id"
        )[int(total * 0.9)]
    )
    artist_id = ReviewItem.objects.values_list("artist_id", flat=True).first()
    cases = {
        "page, first": "/staff/review/",
        "page, deep (after 90 %)": f"/staff/review/?after={deep}",
        "page, cohort filter": f"/staff/review/?cohort={c2.pk}",
        "page, artist filter": f"/staff/review/?artist={artist_id}",
        # The text filter: the accounts are searched first, then the queue by their ids.
        "page, artist email filter": "/staff/review/?artist=ARTIST7%40bench",
        "page, artist name filter": "/staff/review/?artist=artist+7",
        "page, overdue": "/staff/review/?overdue=1",
        "page, appeals": "/staff/review/?appeals=1",
        # Pre-screening (issue 18): its filters and the risk order, first and deep.
        "page, flagged": "/staff/review/?screen=flagged",
        "page, not screened": "/staff/review/?screen=not_screened",
        "page, by risk": "/staff/review/?sort=risk",
        "page, by risk, deep (90 %)": f"/staff/review/?sort=risk&after={deep_risk}",
        "API, first": "/api/v1/review/queue/",
        "API, deep (after 90 %)": f"/api/v1/review/queue/?after={deep}",
    }
    # Each page row shows its poster and filmstrip (issue 18): two signed links per row.
    first = client.get("/staff/review/").content.decode()
    thumbnails = (first.count('class="queue-poster"'), first.count('class="queue-filmstrip"'))
    assert thumbnails[0] == thumbnails[1] == min(total, 50), thumbnails
    print(f"date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC; {os.cpu_count()} cores")
    print(f"thumbnails on the first page: {thumbnails[0]} posters, {thumbnails[1]} filmstrips")
    print(f"thumbnail tags (two signed links a row), CPU: {thumbnail_ms(reviewer):.1f} ms median")
    print(f"review items: {total:,} (filled in {fill_seconds:.0f} s); {timezone.now():%H:%M}")
    for name, url in cases.items():
        times, counts = measure(client, url, args.requests)
        print(
            f"{name:28s} median={statistics.median(times):6.1f} ms  p95={p95(times):6.1f} ms  "
            f"queries={sorted(counts)}"
        )


if __name__ == "__main__":
    main()
