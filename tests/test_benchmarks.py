"""Benchmarks are code: each must still run on main. The review-queue benchmark runs here
in a small smoke mode (its own throwaway PostgreSQL, a few hundred items), asserting every
page it times answered 200 with the staff session it builds."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_review_queue_benchmark_runs_in_smoke_mode():
    done = subprocess.run(
        [sys.executable, "bench/review_queue.py", "--items", "300", "--requests", "1"],
        cwd=ROOT, capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "API, deep (after 90 %)" in done.stdout


def test_queue_estimate_benchmark_runs_in_smoke_mode():
    """Real workers and jobs (3 to learn from, 2 in a burst): every figure is printed and
    each burst job was given an estimate while it waited or ran."""
    done = subprocess.run(
        [sys.executable, "bench/queue_estimate.py", "--smoke"],
        cwd=ROOT, capture_output=True, text=True, timeout=900, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "start, predicted while queued: n=" in done.stdout
    assert "finish, predicted while running: n=" in done.stdout
    assert "finish, first prediction after submit: n=" in done.stdout
    assert " polls, 0 without an estimate" in done.stdout
