"""The embedded default (SQLite) serves one person clicking while the worker writes,
without "database is locked" (issue 14): page, API and worker writers in separate
processes on one database file, as `make demo` runs them. The protection is the SQLite
options in config/settings/database.py (WAL, busy timeout, IMMEDIATE transactions); the
``off`` twin starts the writers with SQLite's defaults and must see lock errors."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.faults.conftest import protection_params

ROOT = Path(__file__).resolve().parent.parent
WRITERS = {"api": 2, "page": 2, "worker": 1}  # processes of each kind
ITERATIONS = 60

SETUP = """
from datetime import timedelta
from django.utils import timezone
from accounts.roles import Role
from accounts.services import user_create
from agreements.services import (
    agreement_accept, agreement_version_create, agreement_version_publish,
)
from cohorts.services import cohort_create
from jobs.services import job_submit
cohort = cohort_create(actor=None, name="Wave 1", capacity=5, daily_generation_quota=10000)
version = agreement_version_create(actor=None, title="NDA", body="Keep it private.",
                                   effective_at=timezone.now() - timedelta(minutes=1))
agreement_version_publish(actor=None, version=version)
artist = user_create(email="writer@example.com", password="x", role=Role.ARTIST, cohort=cohort)
agreement_accept(user=artist, typed_full_name="Wendy Writer", ip_address=None, user_agent="")
job_submit(artist=artist, prompt="first", duration_seconds=2, resolution="480p",
           aspect_ratio="16:9")
print("SETUP OK")
"""


def _embedded_env(data_dir: Path) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DATABASE_URL", "REDIS_URL", "CELERY_", "DJANGO_", "VERNISSAGE_"))
    }
    env.update(
        VERNISSAGE_DATA_DIR=str(data_dir),
        WRITER_ARTIST="writer@example.com",
        # One artist submitting this fast would (rightly) be contained as a shared account.
        VERNISSAGE_ANOMALY_DETECTION="false",
    )
    return env


@pytest.mark.parametrize(
    "protection", protection_params(reason="SQLite's defaults: 'database is locked'")
)
def test_concurrent_page_api_and_worker_writes_never_lock(tmp_path, protection):
    env = _embedded_env(tmp_path)
    for command in (["migrate", "--noinput"], ["shell", "-c", SETUP]):
        done = subprocess.run(
            [sys.executable, "manage.py", *command], cwd=ROOT, env=env, capture_output=True,
            text=True, check=False, timeout=300,
        )  # fmt: skip
        assert done.returncode == 0, done.stdout + done.stderr
    flags = ["--sabotage"] if protection == "off" else []
    writers = [
        subprocess.Popen(
            [sys.executable, "-m", "tests.embedded_writers", kind, str(ITERATIONS), *flags],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for kind, count in WRITERS.items()
        for _ in range(count)
    ]
    results = []
    for writer in writers:
        output, _ = writer.communicate(timeout=300)
        line = next((ln for ln in output.splitlines() if ln.startswith("RESULT ")), None)
        assert line is not None, output
        _, kind, ok, locked, other = line.split()
        results.append((kind, int(ok), int(locked), int(other)))
    failures = [r for r in results if r[2] or r[3]]
    assert not failures, results
    assert sum(r[1] for r in results) == ITERATIONS * sum(WRITERS.values())
