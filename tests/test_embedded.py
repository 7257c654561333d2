"""`make demo`'s shape: SQLite, the filesystem broker, `manage.py serve` running the web
server, a worker and the reaper; a submitted job becomes a video."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

SUBMIT_AND_WAIT = """
import time
from accounts.roles import Role
from accounts.services import user_create
from agreements.services import agreement_accept
from cohorts.models import Cohort
from jobs.services import job_submit
artist = user_create(email="embedded@example.com", password="x", role=Role.ARTIST,
                     cohort=Cohort.objects.get(name="Wave 1"))
agreement_accept(user=artist, typed_full_name="Em Bedded", ip_address=None, user_agent="")
job = job_submit(artist=artist, prompt="a lighthouse in the rain", duration_seconds=2,
                 resolution="480p", aspect_ratio="16:9")
deadline = time.monotonic() + 90
while time.monotonic() < deadline and not job.is_terminal:
    time.sleep(0.1)
    job.refresh_from_db()
print("RESULT", job.status, job.output.codec if job.status == "succeeded" else job.error_message)
# The staff charts and reports read through SQLite too (no percentile_cont there).
from analytics.selectors import cohort_analytics
from moderation.selectors import review_sla_report
from moderation.second_opinion_selectors import reviewer_agreement
from moderation.trends import review_trends
from web.periods import last_days
period = last_days(7)
analytics = cohort_analytics(cohort=Cohort.objects.get(name="Wave 1"), period=period)
trends = review_trends(period=period)
review_sla_report()
reviewer_agreement(since=period.first_day, until=period.last_day)
print("CHARTS", analytics.summary.generations, len(analytics.charts), len(trends.charts))
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_embedded_default_serves_and_generates(tmp_path, tiny_model):
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DATABASE_URL", "REDIS_URL", "CELERY_", "DJANGO_", "VERNISSAGE_"))
    }
    env["VERNISSAGE_DATA_DIR"] = str(tmp_path)
    env["VERNISSAGE_TINY_MODEL_PATH"] = tiny_model

    def manage(*args: str, **kwargs) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True,
            text=True, check=False, **kwargs,
        )  # fmt: skip

    assert manage("migrate", "--noinput").returncode == 0
    assert manage("demo_setup").returncode == 0
    port = _free_port()
    serve = subprocess.Popen(
        [sys.executable, "manage.py", "serve", f"127.0.0.1:{port}"], cwd=ROOT, env=env,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                    assert json.loads(r.read()) == {"status": "ok"}
                    break
            except (urllib.error.URLError, ConnectionError):
                assert time.monotonic() < deadline, "the web server did not come up"
                time.sleep(0.2)
        # What `manage.py invite` prints from now on points at the address served.
        assert (tmp_path / "served_url").read_text().strip() == f"http://127.0.0.1:{port}"
        invited = manage("invite", "--cohort", "Wave 1", "newcomer@example.com")
        assert f"http://127.0.0.1:{port}/invitations/" in invited.stdout, invited
        result = manage("shell", "-c", SUBMIT_AND_WAIT, timeout=150)
        assert "RESULT succeeded h264" in result.stdout, result.stdout + result.stderr
        assert "CHARTS 1 " in result.stdout, result.stdout + result.stderr
        assert (tmp_path / "db.sqlite3").exists()
        assert list((tmp_path / "media" / "private" / "outputs").rglob("*.mp4"))
        # The broker's runtime state (its exchange tables too) lives in the data folder.
        assert list((tmp_path / "broker" / "control").glob("*.exchange"))
        # Probes and metrics work on SQLite and the filesystem broker too.
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=10) as r:
            assert json.loads(r.read())["status"] == "ok"
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10) as r:
            scraped = r.read().decode()
        assert "vernissage_metrics_ok 1.0" in scraped
        labels = 'model="tiny-wan",quantile="0.5",status="succeeded"'
        assert f"vernissage_job_duration_seconds{{{labels}}}" in scraped
    finally:
        serve.send_signal(signal.SIGTERM)
        output, _ = serve.communicate(timeout=60)
    assert serve.returncode == 0, output


def test_the_embedded_broker_keeps_all_its_state_in_the_data_folder(tmp_path):
    """Kombu's filesystem transport defaults to folders relative to wherever a process
    starts (``./control`` for its exchange tables); the embedded default names every one
    of them under VERNISSAGE_DATA_DIR, so nothing lands in the source tree."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DATABASE_URL", "REDIS_URL", "CELERY_", "DJANGO_", "VERNISSAGE_"))
    }
    env["VERNISSAGE_DATA_DIR"] = str(tmp_path)
    code = (
        "import json; from django.conf import settings; "
        "print(json.dumps([settings.CELERY_BROKER_URL, settings.CELERY_BROKER_TRANSPORT_OPTIONS]))"
    )
    printed = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=ROOT, env=env, capture_output=True, text=True, check=True,
    )  # fmt: skip
    url, options = json.loads(printed.stdout.strip().splitlines()[-1])
    assert url == "filesystem://"
    assert options["control_folder"] == str(tmp_path / "broker" / "control")
    folders = {
        k: v for k, v in options.items() if k.endswith(("_folder", "_folder_in", "_folder_out"))
    }
    assert set(folders) == {
        "data_folder_in",
        "data_folder_out",
        "processed_folder",
        "control_folder",
    }
    for folder in folders.values():
        assert Path(folder).is_relative_to(tmp_path) and Path(folder).is_dir(), folder


def test_links_printed_from_another_shell_point_at_what_make_demo_serves(
    tmp_path, monkeypatch, settings
):
    """`make demo PORT=8123` exports VERNISSAGE_SITE_URL to the server only; an operator's
    `manage.py invite` in another shell has no such variable and must still print links to
    port 8123 (issue 14, defect 11)."""
    from portal.management.commands.serve import record_site_url

    settings.DATA_DIR = tmp_path
    monkeypatch.setenv("VERNISSAGE_SITE_URL", "http://127.0.0.1:8123/")
    record_site_url("127.0.0.1:8123")
    env = {k: v for k, v in os.environ.items() if k != "VERNISSAGE_SITE_URL"}
    env["VERNISSAGE_DATA_DIR"] = str(tmp_path)
    code = "from django.conf import settings; print('SITE', settings.SITE_URL)"
    printed = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=ROOT, env=env, capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert "SITE http://127.0.0.1:8123\n" in printed.stdout


def test_serve_starts_the_worker_again_when_it_exits_and_stops_for_anything_else():
    """A worker whose render will not stop ends itself (jobs.watchdog, issue 16); like
    systemd's Restart=always in deploy/, `serve` starts a new one, and its job is retried
    there. Any other process exiting still stops everything."""
    from portal.management.commands.serve import watch

    started: list[str] = []
    said: list[str] = []

    def start(command: list[str]) -> subprocess.Popen[str]:
        started.append(command[-1])
        return subprocess.Popen([sys.executable, "-c", command[-1]], text=True)

    commands = {
        "web": ["import time; time.sleep(3)"],
        "worker": ["raise SystemExit(70)"],
    }
    processes = {name: start(command) for name, command in commands.items()}
    try:
        watch(processes, commands, say=said.append, start=start, restart_delay=0.05,
              poll_seconds=0.05)  # fmt: skip
    finally:
        for process in processes.values():
            if process.poll() is None:
                process.kill()
            process.wait(timeout=10)
    assert started.count(commands["worker"][-1]) >= 3, said
    assert said[0] == "worker exited with 70; starting a new one."
    assert said[-1] == "web exited with 0; stopping."
