"""Benchmarks are code: each must still run on main. Every script in bench/ runs here once in
its small ``--smoke`` mode, as a subprocess (its own throwaway PostgreSQL and Redis where it
needs them), and must finish and print each of its figures. Only the shape of the output is
checked, never a speed: the figures themselves are docs/benchmarks.md's business."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# "name: n=2 median=12.3 ms p90=... ms p99=... ms min=... ms max=... ms"
# A figure may be negative: "platform overhead" is a job's wall time minus the bare side's
# median, and on a loaded machine a job can beat the median (the clean-clone CI saw it).
_SUMMARY = (
    r"n={n} median=-?[\d.]+ ms p90=-?[\d.]+ ms p99=-?[\d.]+ ms min=-?[\d.]+ ms max=-?[\d.]+ ms"
)


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
    # Every row of the page it times shows a poster and a filmstrip (issue 18).
    assert "thumbnails on the first page: 50 posters, 50 filmstrips" in out
    assert re.search(
        r"^thumbnail tags \(two signed links a row\), CPU: +[\d.]+ ms median$", out, re.M
    )
    for case in (
        "page, first", "page, deep (after 90 %)", "page, cohort filter", "page, artist filter",
        "page, artist email filter", "page, artist name filter",
        "page, overdue", "page, appeals", "API, first", "API, deep (after 90 %)",
        "page, flagged", "page, not screened", "page, by risk", "page, by risk, deep (90 %)",
    ):  # fmt: skip
        assert re.search(
            rf"^{re.escape(case)} +median= *[\d.]+ ms +p95= *[\d.]+ ms +queries=\[\d+\]$",
            out,
            re.MULTILINE,
        ), (case, out)


def test_queue_estimate_benchmark_runs_in_smoke_mode():
    """Real workers and jobs, the mixed backlog (4 to learn from, 3 in a burst, from 4
    artists in 2 cohorts, 4 sizes): every figure is printed, each burst job was given an
    estimate while it waited or ran, and the start read at each submission was compared
    with the actual wait (issue 16's figure) for the jobs that waited."""
    out = run("bench/queue_estimate.py", "--smoke", "--mixed")
    assert "burst 3 jobs (mixed: 4 artists in 2 cohorts" in out, out
    assert "start, predicted while queued: n=" in out
    assert "finish, predicted while running: n=" in out
    assert "finish, first prediction after submit: n=" in out
    assert " polls, 0 without an estimate" in out
    for label in ("at its submission", "once the burst was in"):
        assert re.search(
            rf"^start error / actual wait, read {label}: n=[1-9]\d* median=[\d.]+ % "
            r"p90=[\d.]+ % max=[\d.]+ % \(\d+ left out: .*\), 0 without an estimate$",
            out,
            re.M,
        ), (label, out)
        assert re.search(
            rf"^position read {label} vs jobs that started before it: \d+ same, \d+ later ",
            out,
            re.M,
        ), (label, out)


def test_fairness_benchmark_runs_in_smoke_mode():
    """The fair claim (jobs.worker.job_claim_next) and the bench's FIFO claim each run the
    same small scenario (A's backlog of 12, then 3 others, 2 bench workers) to the end:
    every job succeeded once (the report asserts it) and every figure is printed."""
    out = run("bench/fairness.py", "--smoke")
    for order in ("fifo", "fair"):
        assert re.search(
            rf"^{order}: others' wait: max=[\d.]+ s \([\d.]+ jobs\) p95=[\d.]+ s "
            r"\([\d.]+ jobs\) median=[\d.]+ s$",
            out,
            re.M,
        ), (order, out)
        assert re.search(
            rf"^{order}: artist A's wait: max=[\d.]+ s p95=[\d.]+ s median=[\d.]+ s \(n=12\)$",
            out,
            re.M,
        ), (order, out)
        assert re.search(
            rf"^{order}: throughput: [\d.]+ jobs/min \(15 jobs, first start -> last finish",
            out,
            re.M,
        ), (order, out)
    assert re.search(r"^required: each other artist starts within 2 job durations \(fair\): ",
                     out, re.M), out  # fmt: skip
    assert re.search(r"^required: throughput fair / fifo within 5 %: ", out, re.M), out


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


def test_wan_full_size_gpu_benchmark_runs_in_smoke_mode(tmp_path):
    """The full-size GPU benchmark's own code on the CPU at the tiny model's configs: every
    phase runs and prints its figures (the job's per-step times and stages, the worker's
    post-processing, save + load through generation.registry with the same parameter
    dtypes as the in-memory build, the backlog both ways) and the JSON report holds the
    frames each render returned."""
    out = run("bench/gpu/wan_full_size.py", "--smoke", "--out", str(tmp_path))
    assert re.search(r"^job 48x32, 9 frames, 3 steps, guidance 5\.0: wall [\d.]+ s$", out, re.M)
    assert re.search(r"^  per step \(steps 2\.\.3\): n=2 median=[\d.]+ s p90=", out, re.M), out
    for stage in ("text_encode", "denoise", "vae_decode", "postprocess_float_frames", "to_uint8"):
        assert re.search(rf"^  stage {stage}: [\d.]+ s$", out, re.M), (stage, out)
    assert re.search(
        r"^  worker post-processing of this output: marks [\d.]+ s, encode [\d.]+ s, "
        r"sign [\d.]+ s, poster [\d.]+ s, probe [\d.]+ s, sha256 [\d.]+ s, total",
        out,
        re.M,
    ), out
    assert re.search(
        r"^save_pretrained: .*PipelineRegistry\.get .*loaded UniPCMultistepScheduler, 2 layers; "
        r".*parameter dtypes match the in-memory build$",
        out,
        re.M,
    ), out
    for mode in ("sequential", "overlapped"):
        assert re.search(
            rf"^backlog {mode}: 2 jobs x 2 steps in [\d.]+ s = [\d.]+ jobs/min; busy ratio "
            r"[\d.]+; gaps between renders \d+ ms;",
            out,
            re.M,
        ), (mode, out)
    report = json.loads((tmp_path / "wan_full_size.json").read_text())
    assert report["job"]["frames_shape"] == [9, 32, 48, 3]
    assert report["registry_load"]["frames_shape"] == [9, 32, 48, 3]
    assert [run["mode"] for run in report["backlog"]["runs"]] == ["sequential", "overlapped"]
    assert (tmp_path / "wan_full_size.txt").read_text().splitlines()[-1].startswith("total: ")


def test_overlap_benchmark_runs_in_smoke_mode():
    """Real workers, one per mode (post-processing inline, then overlapped), each with a
    backlog of 3: every job succeeded on its first attempt (the script asserts it) and
    each figure is printed, the gaps read from the worker's heartbeat row."""
    out = run("bench/overlap.py", "--smoke")
    for mode in ("sequential", "overlapped"):
        assert re.search(
            rf"^{mode} round 1: [\d.]+ jobs/min \([\d.]+ s\), gap between renders "
            r"p50=[\d.]+ ms p95=[\d.]+ ms, busy ratio [\d.]+$",
            out,
            re.M,
        ), (mode, out)
    assert re.search(
        r"^jobs/min, median of rounds: sequential [\d.]+, overlapped [\d.]+ \([\d.]+x\)$",
        out,
        re.M,
    ), out


def test_modes_benchmark_runs_in_smoke_mode():
    """A real worker serving the three tiny models, clocked from inside
    (bench/_pipeline_clock.py): one submission of each mode through the service after a
    warm-up each. The script asserts each job succeeded on its first attempt and that the
    clock saw each of its pipeline calls (two for the storyboard); here every figure is
    printed, the variations as 3 jobs and 3 outputs."""
    out = run("bench/modes.py", "--smoke")
    assert re.search(r"^date: .* UTC, [\d.]+ min; load average \(1, 5, 15 min\) at start ", out,
                     re.M), out  # fmt: skip
    quantiles = r"median=-?[\d.]+ ms p95=-?[\d.]+ ms"
    for mode, outputs, calls in (("text", 1, "1"), ("image", 1, "1"), ("extend", 1, "1"),
                                 ("storyboard", 1, "2"), ("variations", 3, "[13]")):  # fmt: skip
        assert re.search(
            rf"^{mode}: n=1 submissions of {outputs} job\(s\) and output\(s\) each; wall "
            rf"median=[\d.]+ ms, pipeline median=[1-9][\d.]* ms in {calls} call\(s\)$",
            out,
            re.M,
        ), (mode, out)
        assert re.search(
            rf"^{mode}: platform overhead per submission {quantiles}; per output {quantiles}$",
            out,
            re.M,
        ), (mode, out)
        assert re.search(
            rf"^{mode}: per job, medians: created->started [\d.]+ ms; started->rendered "
            r"[\d.]+ ms; rendered->finished [\d.]+ ms$",
            out,
            re.M,
        ), (mode, out)
        assert re.search(
            rf"^{mode}: per render stage \(n=[1-3]\), medians: step callbacks [\d.]+ ms, "
            r"outside the pipeline -?[\d.]+ ms$",
            out,
            re.M,
        ), (mode, out)
        assert re.search(rf"^\| {mode} \| {outputs} \| 1 \| ", out, re.M), (mode, out)


def test_storyboard_cut_benchmark_runs_in_smoke_mode():
    """No database: per-shot encodes + concat_mp4 against one encode_mp4, 2 and 3 shots at
    both sizes; the script checks both videos hold every frame."""
    out = run("bench/storyboard_cut.py", "--smoke", timeout=120)
    for size in (
        "tiny 80x48 @ 8 fps, 17 frames per shot",
        "480p 832x480 @ 16 fps, 9 frames per shot",
    ):
        for shots in (2, 3):
            assert re.search(
                rf"^{re.escape(size)}, {shots} shots: one encode [\d.]+ ms; per-shot encodes "
                r"[\d.]+ ms \+ concat [\d.]+ ms \(probing the parts [\d.]+ ms\) = cut [\d.]+ ms; "
                r"extra -?[\d.]+ ms = -?[\d.]+ ms per shot; size one \d+ KiB, cut \d+ KiB$",
                out,
                re.M,
            ), (size, shots, out)
        assert re.search(
            rf"^{re.escape(size)}: extra ≈ -?[\d.]+ ms \+ -?[\d.]+ ms per shot \(least squares "
            r"over 2\.\.3 shots\)$",
            out,
            re.M,
        ), (size, out)


@pytest.mark.production
def test_load_benchmark_runs_in_smoke_mode():
    """The production-shaped stack (nginx, gunicorn, PostgreSQL, Redis, 3 artists) with
    every piece of bench/load run briefly: locust through per_core.sh (which fails on any
    failed request), cpu_seconds.py around it, and profile_status.py."""
    out = run("bench/load/run_stack.py", "--smoke")
    assert re.search(r"^ +Aggregated +\d+ +0\(0\.00%\)", out, re.M), out
    assert re.search(r"^gunicorn used [\d.]+ CPU-seconds in [\d.]+ s = [\d.]+ cores$", out, re.M)
    assert re.search(r"^20 polls: [\d.]+ ms each \(wall, in-process\)$", out, re.M), out


def test_cohort_analytics_benchmark_runs_in_smoke_mode():
    """300 jobs with outputs, review items and decisions: each page answered 200 to a
    program admin and every case is printed, with the decisions query's plan."""
    out = run("bench/cohort_analytics.py", "--smoke")
    assert "jobs: 300 " in out
    for case in (
        "analytics, last 30 days", "analytics, last 90 days", "analytics CSV, last 30 days",
        "SLA page, last 30 days", "SLA page, last 90 days",
    ):  # fmt: skip
        assert re.search(
            rf"^{re.escape(case)} +median= *[\d.]+ ms +p95= *[\d.]+ ms +queries=\[\d+\]$",
            out,
            re.MULTILINE,
        ), (case, out)
    assert "plan, decisions by day" in out


def test_prescreen_benchmark_runs_in_smoke_mode():
    """The default frame classifier on a 5 s 480p output and on tiny-model videos: the
    cost summary, the session load apart, and the flag rate are printed."""
    out = run("bench/prescreen.py", "--smoke")
    assert "classifier: nudenet-320n/3.4.2, 8 of 81 frames sampled" in out, out
    assert re.search(r"^first call \(session load included\): [\d.]+ ms$", out, re.M), out
    assert re.search(
        rf"^cost per 5 s 480p output \(81 frames 848x480\): {_SUMMARY.format(n=3)}$", out, re.M
    ), out
    assert re.search(
        r"^flag rate, tiny-model videos: \d+/2 flagged \(\d+ %\), highest label score [\d.]+$",
        out,
        re.M,
    ), out
