"""Request ids: made or accepted, echoed, on every log line, and carried to the worker."""

from __future__ import annotations

import io
import json
import logging
import os
import re
import subprocess
import sys

import pytest
from django.db import connection

from jobs.models import Job, JobStatus, WorkerHeartbeat
from tests.jobs.conftest import wait_for_job
from tests.workers import ROOT, WorkerProcess
from web.context import log_context, request_id_accept
from web.logs import ContextFilter, JsonFormatter

REQUEST = {
    "prompt": "a red bird over the sea",
    "duration_seconds": 2,
    "resolution": "480p",
    "aspect_ratio": "16:9",
}


def capture(formatter: logging.Formatter) -> tuple[logging.Logger, io.StringIO]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(ContextFilter())
    handler.setFormatter(formatter)
    logger = logging.getLogger(f"tests.observability.{id(stream)}")
    logger.propagate = False
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    return logger, stream


@pytest.mark.django_db
def test_a_request_gets_an_id_and_it_is_echoed(client):
    response = client.get("/healthz")
    assert re.fullmatch(r"[0-9a-f]{32}", response["X-Request-ID"])
    assert client.get("/healthz")["X-Request-ID"] != response["X-Request-ID"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("incoming", "kept"),
    [
        ("edge-7f3a9c1e-42", True),
        ("0123456789abcdef0123456789abcdef", True),
        ("short", False),
        ("x" * 65, False),
        ("evil\nINFO forged line", False),
        ("<script>alert(1)</script>", False),
        ("-leading-dash-id", False),
    ],
)
def test_an_incoming_id_is_kept_only_when_sane(client, incoming, kept):
    echoed = client.get("/healthz", HTTP_X_REQUEST_ID=incoming)["X-Request-ID"]
    assert (echoed == incoming) is kept
    assert request_id_accept(echoed) == echoed


def test_json_lines_carry_the_ids_and_extras():
    logger, stream = capture(JsonFormatter())
    with log_context(request_id="req-12345678", job_id=42):
        logger.info("job %s: started", 42, extra={"attempt": 1})
    logger.info("outside")
    try:
        raise ValueError("boom")
    except ValueError:
        logger.exception("failed")
    first, second, third = (json.loads(line) for line in stream.getvalue().splitlines())
    assert first["message"] == "job 42: started"
    assert (first["request_id"], first["job_id"], first["attempt"]) == ("req-12345678", "42", 1)
    assert first["level"] == "INFO" and first["time"].endswith("+00:00")
    assert "request_id" not in second and "job_id" not in second
    assert "ValueError: boom" in third["exc_info"]


def test_text_lines_show_the_ids_only_when_set():
    logger, stream = capture(logging.Formatter("x%(context)s: %(message)s"))
    with log_context(request_id="req-12345678"):
        logger.info("in a request")
        with log_context(job_id=7):
            logger.info("in a job")
    logger.info("nowhere")
    assert stream.getvalue().splitlines() == [
        "x [req-12345678]: in a request",
        "x [req-12345678 job 7]: in a job",
        "x: nowhere",
    ]


def test_json_format_setting_turns_the_whole_log_into_json_lines():
    env = {**os.environ, "VERNISSAGE_LOG_FORMAT": "json"}
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c",
         "import logging; logging.getLogger('probe').warning('hello %s', 'json')"],
        cwd=ROOT, env=env, capture_output=True, text=True, check=True, timeout=120,
    )  # fmt: skip
    record = json.loads(result.stderr.strip().splitlines()[-1])
    assert (record["logger"], record["level"], record["message"]) == (
        "probe",
        "WARNING",
        "hello json",
    )


def test_a_bad_log_format_stops_start_up():
    env = {**os.environ, "VERNISSAGE_LOG_FORMAT": "xml"}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT, env=env, capture_output=True, text=True, check=False, timeout=120,
    )  # fmt: skip
    assert result.returncode != 0 and "VERNISSAGE_LOG_FORMAT" in result.stderr


@pytest.mark.django_db(transaction=True)
def test_the_worker_logs_under_the_submitting_requests_id(
    client, artist, settings, tiny_model, django_db_setup
):
    settings.GENERATION_QUEUE = "gpu-observability"
    worker = WorkerProcess(
        queue=settings.GENERATION_QUEUE,
        database_name=connection.settings_dict["NAME"],
        name="observability",
    )
    worker.env["VERNISSAGE_LOG_FORMAT"] = "json"
    worker.env["VERNISSAGE_WORKER_HEARTBEAT_SECONDS"] = "1"
    worker.start()
    try:
        client.force_login(artist)
        request_id = "it-follows-the-job-0001"
        response = client.post(
            "/api/v1/generations/", REQUEST, content_type="application/json",
            HTTP_X_REQUEST_ID=request_id,
        )  # fmt: skip
        assert response.status_code == 201, response.content
        assert response["X-Request-ID"] == request_id
        job_id = response.json()["id"]
        assert Job.objects.get(pk=job_id).request_id == request_id

        job = wait_for_job(job_id, lambda j: j.is_terminal)
        assert job.status == JobStatus.SUCCEEDED, worker.log()
        worker.wait_for(
            lambda: any(f"job {job_id}: attempt" in line for line in worker.lines), 10, "log"
        )
        records = [json.loads(line) for line in worker.lines if line.startswith("{")]
        mine = [r for r in records if r.get("request_id") == request_id]
        assert any(
            r["logger"] == "jobs.worker" and r["message"].startswith(f"job {job_id}: attempt")
            for r in mine
        ), worker.log()
        assert all(r.get("job_id") == str(job_id) for r in mine)

        # Its heartbeat row: written at start-up, kept fresh, idle again after the job,
        # that is once the task has ended (the row is cleared after the job's commit).
        worker.wait_for_tasks_ended(1, timeout=30)
        # It consumes its model's queue (jobs.scheduling), not the plain one it was given.
        beat = WorkerHeartbeat.objects.get(queues=f"{settings.GENERATION_QUEUE}.tiny-wan")
        assert beat.job_id is None
        samples = client.get("/metrics").content.decode()
        labels = f'queues="{beat.queues}",worker="{beat.name}"'
        assert f"vernissage_worker_heartbeat_age_seconds{{{labels}}}" in samples
    finally:
        worker.stop()
    assert not WorkerHeartbeat.objects.filter(
        queues=f"{settings.GENERATION_QUEUE}.tiny-wan"
    ).exists()
