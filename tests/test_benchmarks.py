"""Benchmarks are code: each must still run on main. Every script in bench/ runs here once in
its small ``--smoke`` mode, as a subprocess (its own throwaway PostgreSQL and Redis where it
needs them), and must finish and print each of its figures. Only the shape of the output is
checked, never a speed: the figures themselves are docs/benchmarks.md's business."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# "name: n=2 median=12.3 ms p90=... ms p99=... ms min=... ms max=... ms"
_SUMMARY = r"n={n} median=[\d.]+ ms p90=[\d.]+ ms p99=[\d.]+ ms min=[\d.]+ ms max=[\d.]+ ms"


def run(*args: str, timeout: float = 280) -> str:
    done = subprocess.run(
        [sys.executable, *args], cwd=ROOT, capture_output=True, text=True, timeout=timeout,
        check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return done.stdout + done.stderr  # locust writes its summary to either, by version


def test_review_queue_benchmark_runs_in_smoke_mode():
    """Its SQL fill takes every column it doesn't name from the model's default, so a
    column added since still fills; each page it times answered 200 to the reviewer."""
    out = run("bench/review_queue.py", "--smoke")
    assert "review items: 300 " in out
    for case in (
        "page, first", "page, deep (after 90 %)", "page, cohort filter", "page, artist filter",
        "page, overdue", "page, appeals", "API, first", "API, deep (after 90 %)",
    ):  # fmt: skip
        assert re.search(
            rf"^{re.escape(case)} +median= *[\d.]+ ms +p95= *[\d.]+ ms +queries=\[\d+\]$",
            out,
            re.MULTILINE,
        ), (case, out)


def test_queue_estimate_benchmark_runs_in_smoke_mode():
    """Real workers and jobs (3 to learn from, 2 in a burst): every figure is printed and
    each burst job was given an estimate while it waited or ran."""
    out = run("bench/queue_estimate.py", "--smoke")
    assert "start, predicted while queued: n=" in out
    assert "finish, predicted while running: n=" in out
    assert "finish, first prediction after submit: n=" in out
    assert " polls, 0 without an estimate" in out


def test_generation_latency_benchmark_runs_in_smoke_mode():
    """A real worker; the bench's artist submits at machine pace (a backlog in a loop) as a
    benchmark account, so neither containment nor the API budget stops it (every submit
    must answer 201); the bare side does every step the worker does to an output."""
    out = run("bench/generation_latency.py", "--smoke")
    assert re.search(r"^bare side does: render, marks \(.*forensic\), encode, C2PA sign", out, re.M)
    for name, n in (
        (r"bare GPU side \(everything the worker does to the output\)", 2),
        *((rf"  bare stage {stage}", 2) for stage in (
            "render", "marks", "encode", "sign", "poster", "probe", "sha256")),
        (r"job wall time \(created_at -> finished_at\)", 2),
        (r"  created_at -> started_at \(commit, broker hop, claim\)", 2),
        (r"  started_at -> finished_at \(the worker's run\)", 2),
        (r"platform overhead \(wall - bare median\)", 2),
        (r"submit -> first step, idle worker, empty table", 2),
        (r"submit -> first step, idle worker, 20 queued jobs \(of wan2\.1-t2v-1\.3b\)", 2),
    ):  # fmt: skip
        assert re.search(rf"^{name}: {_SUMMARY.format(n=n)}$", out, re.M), (name, out)
    assert re.search(
        rf"^in-process worker run \(job_run, no broker\), profiled: {_SUMMARY.format(n=1)}$",
        out,
        re.M,
    ), out
    for label in ("the whole run (job_run)", "    C2PA sign + read back", "    storage copies"):
        assert re.search(
            rf"^  profile {re.escape(label)}: [\d.]+ ms per job \([\d.]+ calls\)$", out, re.M
        ), (label, out)


def test_c2pa_sign_benchmark_runs_in_smoke_mode():
    out = run("bench/c2pa_sign.py", "--smoke")
    assert re.search(r"^clip: \d+ frames \d+x\d+ @ \d+ fps, \d+ KiB; manifest adds \d+ bytes$",
                     out, re.M), out  # fmt: skip
    for name in ("sign_video", r"read_manifest \(validate\)"):
        assert re.search(
            rf"^{name}: median [\d.]+ ms, p90 [\d.]+ ms, max [\d.]+ ms \(n=2\)$", out, re.M
        ), (name, out)


def test_watermark_benchmark_runs_in_smoke_mode():
    out = run("bench/watermark.py", "--smoke")
    assert re.search(r"^1080p: pattern set-up [\d.]+ ms per clip, [\d.]+ ms per frame$", out, re.M)
    assert re.search(r"^PSNR marked vs unmarked: mean [\d.]+ dB, min [\d.]+ dB$", out, re.M)
    for attack in ("delivered", "crf23", "crf28", "half", "cut", "combined"):
        assert re.search(
            rf"^\| {attack} \| [01]/1 \([\d.]+ %\) \| \d+ \| [\d.]+ \| [\d.]+ \|$", out, re.M
        ), (attack, out)
    assert re.search(r"^unmarked: \d/2 attributed, \d MAC passes, confidence median", out, re.M)


@pytest.mark.production
def test_load_benchmark_runs_in_smoke_mode():
    """The production-shaped stack (nginx, gunicorn, PostgreSQL, Redis, 3 artists) with
    every piece of bench/load run briefly: locust through per_core.sh (which fails on any
    failed request), cpu_seconds.py around it, and profile_status.py."""
    out = run("bench/load/run_stack.py", "--smoke")
    assert re.search(r"^ +Aggregated +\d+ +0\(0\.00%\)", out, re.M), out
    assert re.search(r"^gunicorn used [\d.]+ CPU-seconds in [\d.]+ s = [\d.]+ cores$", out, re.M)
    assert re.search(r"^20 polls: [\d.]+ ms each \(wall, in-process\)$", out, re.M), out
