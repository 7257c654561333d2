"""Scale-out (issue 16, point 6): three named worker processes, one PostgreSQL, one Redis,
two models, outputs through an S3-compatible server; a worker killed with SIGKILL mid-job
loses nothing, and the web tier serves every output through the media door.

Every part is a process of its own on loopback:

- PostgreSQL and Redis: the suite's own (tests/servers.py); Redis database 1 is the broker;
- an S3-compatible server, moto's (tests/scaleout/s3.py, which says what it does not
  emulate; decision 0032);
- three Celery workers, each named (``-n scale-a@host`` ...) and serving its models
  (``VERNISSAGE_WORKER_MODELS``): ``scale-a`` tiny-wan, ``scale-b`` tiny-wan-b,
  ``scale-c`` both;
- the housekeeper (``manage.py housekeeping``, a pass a second), which recovers the killed
  worker's job once its lease runs out;
- the web tier: gunicorn. The test talks to it over HTTP as the artists' API clients
  (personal tokens): it submits the jobs and serves the outputs through the media door.

Each process has a data folder of its own, standing for its machine's disk (its copy of
the model, media root, C2PA development chain, temporary files): nobody shares a folder,
so an output can only travel through the bucket. ``scale-a`` starts through
tests/step_hold.py: it stops at step 2 of its first job until the test lets go, so the
test kills it mid-job whatever the machine's speed.
"""

from __future__ import annotations

import hashlib
import http.client
import json
import os
import re
import shutil
import socket
import sys
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.utils import timezone

from accounts.models import User
from accounts.roles import Role
from accounts.services import api_token_create, user_create
from agreements.services import agreement_accept
from cohorts.models import Cohort
from jobs.models import Job, JobStatus, Output, WorkerHeartbeat
from jobs.scheduling import model_queue
from jobs.selectors import quota_used_today
from tests.conftest import PASSWORD
from tests.faults.conftest import SMALL_REQUEST
from tests.production.stack import Service, free_port
from tests.scaleout.s3 import BUCKET, S3Server
from tests.step_hold import LAUNCHER as HOLD_LAUNCHER
from tests.step_hold import StepHold
from tests.waiting import wait_until
from tests.workers import WorkerProcess

pytestmark = [
    pytest.mark.scaleout,
    pytest.mark.django_db(transaction=True),
    pytest.mark.timeout(300),
]

MODELS = ("tiny-wan", "tiny-wan-b")
SERVES = {
    "scale-a": ("tiny-wan",),
    "scale-b": ("tiny-wan-b",),
    "scale-c": ("tiny-wan", "tiny-wan-b"),
}
VICTIM = "scale-a"  # held at step 2 of its first job, then killed
ARTISTS = ("alice@example.com", "bob@example.com", "cleo@example.com", "dara@example.com")
JOBS_PER_ARTIST = 3
_LOADED = re.compile(r"loaded model (\S+) from")
_DONE = (JobStatus.SUCCEEDED, JobStatus.FAILED, JobStatus.CANCELED)


class Machine:
    """A folder standing for one machine's disk: what one process may write, and
    nothing another reads. Its environment points every path there."""

    def __init__(self, name: str, tiny_model: str, s3: S3Server, queue: str) -> None:
        self.name = name
        self.home = Path(tempfile.mkdtemp(prefix=f"vernissage-{name}-"))
        model = self.home / "models" / "tiny-wan"
        shutil.copytree(tiny_model, model)
        (self.home / "tmp").mkdir()
        server = os.environ["DATABASE_URL"].rsplit("/", 1)[0]
        self.env = {
            **os.environ,
            **s3.environment(),
            "DATABASE_URL": f"{server}/{connection.settings_dict['NAME']}",
            "VERNISSAGE_DATA_DIR": str(self.home),
            "VERNISSAGE_MEDIA_ROOT": str(self.home / "media"),
            "VERNISSAGE_TINY_MODEL_PATH": str(model),
            "TMPDIR": str(self.home / "tmp"),
            "VERNISSAGE_GPU_QUEUE": queue,
            "VERNISSAGE_MODELS": ",".join(MODELS),
            "VERNISSAGE_REAPER_INTERVAL_SECONDS": "1",
        }
        shared = os.environ["VERNISSAGE_DATA_DIR"]  # the test process's own folder
        assert not [key for key, value in self.env.items() if shared in value]

    def worker(self, launcher: tuple[str, ...]) -> WorkerProcess:
        worker = WorkerProcess(
            queue=self.env["VERNISSAGE_GPU_QUEUE"],
            database_name=connection.settings_dict["NAME"],
            name=self.name,
            launcher=launcher,
        )
        worker.env = {**self.env, "VERNISSAGE_WORKER_MODELS": ",".join(SERVES[self.name])}
        return worker

    def service(self, command: list[str]) -> Service:
        return Service(self.name, command, env=self.env, logs=self.home)


class Web:
    """The web tier over HTTP, without following redirects (the door's answer is one)."""

    def __init__(self, port: int) -> None:
        self.port = port

    def call(
        self, method: str, path: str, *, token: str = "", body: dict[str, Any] | None = None
    ) -> tuple[int, dict[str, str], bytes]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        headers = {"Accept": "application/json", "User-Agent": "scale-out test"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        payload = None
        if body is not None:
            payload = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        try:
            connection.request(method, path, body=payload, headers=headers)
            response = connection.getresponse()
            return response.status, dict(response.getheaders()), response.read()
        finally:
            connection.close()

    def json(self, path: str, token: str) -> Any:
        status, _, data = self.call("GET", path, token=token)
        assert status == 200, (path, status, data[:300])
        return json.loads(data)

    def healthy(self) -> bool:
        try:
            return self.call("GET", "/healthz")[0] == 200
        except OSError:
            time.sleep(0.1)
            return False


def _fetch(url: str) -> tuple[int, bytes]:
    """GET a URL on the loopback S3 server."""
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=30)
    try:
        connection.request("GET", parts.path + (f"?{parts.query}" if parts.query else ""))
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


@pytest.fixture
def s3() -> Iterator[S3Server]:
    server = S3Server()
    try:
        yield server.start()
    finally:
        server.stop()


@pytest.fixture
def artists(cohort: Cohort, nda: object) -> dict[str, tuple[User, str]]:
    """Four artists of ``cohort`` who accepted the NDA, each with a ``generate`` token."""
    found: dict[str, tuple[User, str]] = {}
    for email in ARTISTS:
        user = user_create(email=email, password=PASSWORD, role=Role.ARTIST, cohort=cohort)
        agreement_accept(user=user, typed_full_name=email, ip_address="127.0.0.1",
                         user_agent="pytest")  # fmt: skip
        issued = api_token_create(user=user, name="scale-out test", scope="generate")
        found[email] = (user, issued.secret)
    return found


def test_three_workers_two_models_one_killed_nothing_lost_outputs_through_s3(
    artists, cohort, tiny_model, s3, settings
):
    queue = f"gpu-scaleout-{time.monotonic_ns()}"  # the session worker can't interfere
    settings.GENERATION_QUEUE = queue
    machines = {
        name: Machine(name, tiny_model, s3, queue) for name in [*SERVES, "housekeeper", "web"]
    }
    workers = {
        name: machines[name].worker(HOLD_LAUNCHER if name == VICTIM else ()) for name in SERVES
    }
    keeper = machines["housekeeper"].service([sys.executable, "manage.py", "housekeeping"])
    web = Web(free_port())
    gunicorn = machines["web"].service(
        [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{web.port}", "--workers", "1",
         "config.wsgi:application"]
    )  # fmt: skip
    services = [keeper, gunicorn]
    by_pid: dict[str, str] = {}

    def logs() -> str:
        states = list(Job.objects.values_list("pk", "model", "status", "attempt", "worker"))
        return "\n".join(
            [f"jobs: {states}"]
            + [f"--- {service.name}\n{service.log()}" for service in services]
            + [f"--- {name}\n{worker.log()}" for name, worker in workers.items()]
        )

    try:
        with StepHold() as hold:
            for service in services:
                service.start()
            with ThreadPoolExecutor(len(workers)) as pool:
                for started in [pool.submit(w.start, 180) for w in workers.values()]:
                    started.result()
            gunicorn.wait_for(web.healthy, 60, "/healthz")
            for name, worker in workers.items():
                assert worker.process is not None
                by_pid[f"{socket.gethostname()}:{worker.process.pid}"] = name

            submitted: dict[int, str] = {}  # job id -> its artist's email
            for round_ in range(JOBS_PER_ARTIST):
                for index, email in enumerate(ARTISTS):
                    model = MODELS[(round_ + index) % len(MODELS)]
                    status, _, data = web.call(
                        "POST", "/api/v1/generations/", token=artists[email][1],
                        body={**SMALL_REQUEST, "model": model},
                    )  # fmt: skip
                    assert status == 201, data[:500]
                    assert json.loads(data)["model"] == model
                    submitted[json.loads(data)["id"]] = email

            hold.wait_until_held()
            victim = workers[VICTIM]
            assert victim.process is not None
            held = Job.objects.get(
                pk__in=list(submitted),
                status=JobStatus.RUNNING,
                worker=f"{socket.gethostname()}:{victim.process.pid}",
            )
            assert held.model in SERVES[VICTIM] and held.attempt == 1 and held.progress > 0
            victim.kill()

        def all_done() -> bool:
            return not Job.objects.filter(pk__in=list(submitted)).exclude(status__in=_DONE).exists()

        wait_until(all_done, timeout=180, what="every job to finish", interval=0.2, detail=logs)

        # Every job ran exactly once to the end, on a live worker serving its model; the
        # killed one on its second attempt, elsewhere; none refunded or charged twice.
        jobs = {job.pk: job for job in Job.objects.filter(pk__in=list(submitted))}
        for job in jobs.values():
            assert job.status == JobStatus.SUCCEEDED, logs()
            ran_on = by_pid[job.worker]
            assert job.model in SERVES[ran_on] and ran_on != VICTIM, (job.pk, job.model, ran_on)
            assert job.attempt == (2 if job.pk == held.pk else 1), (job.pk, job.attempt)
            assert not job.quota_refunded
        # scale-b never took a tiny-wan job: with scale-a held, then dead, only scale-c could.
        assert {by_pid[j.worker] for j in jobs.values() if j.model == "tiny-wan"} == {"scale-c"}
        for user, token in artists.values():
            assert quota_used_today(user=user) == JOBS_PER_ARTIST
            me = web.json("/api/v1/me/", token)
            assert me["quota_remaining_today"] == cohort.daily_generation_quota - JOBS_PER_ARTIST

        # One output each, and the bucket holds exactly their files: nothing stored twice,
        # nothing left by the killed attempt.
        outputs = {o.job_id: o for o in Output.objects.filter(job_id__in=list(jobs))}
        assert sorted(outputs) == sorted(jobs)
        assert (outputs[held.pk].video.name or "").endswith(f"job-{held.pk}-a2.mp4")
        files = sorted([str(o.video.name) for o in outputs.values()] +
                       [str(o.poster.name) for o in outputs.values()] +
                       [str(o.filmstrip.name) for o in outputs.values()])  # fmt: skip
        assert s3.keys() == files

        # Each worker, under its own name, announced its models' queues, loaded them at
        # start and no other.
        now = timezone.now()
        for name, worker in workers.items():
            assert worker.process is not None
            ready = [line for line in worker.lines if line.endswith(" ready.")]
            assert len(ready) == 1 and f" {name}@" in ready[0], worker.log()
            loaded = _LOADED.findall("\n".join(worker.lines))
            assert sorted(loaded) == sorted(SERVES[name]), worker.log()
            if name == VICTIM:
                continue
            row = WorkerHeartbeat.objects.get(name=f"{socket.gethostname()}:{worker.process.pid}")
            assert row.queues == ",".join(sorted(model_queue(m) for m in SERVES[name]))
            assert (now - row.last_seen_at).total_seconds() < 60

        # No output file on any disk: not the web tier's, not a worker's, not this one's.
        names = {Path(name).name for name in files}
        disks = [Path(django_settings.MEDIA_ROOT), *(m.home for m in machines.values())]
        on_disk = [p for disk in disks if disk.exists() for p in disk.rglob("*") if p.name in names]
        assert on_disk == []

        # The web tier serves each output through the media door: its artist is sent to a
        # short-lived presigned URL on the bucket, whose bytes are the output's.
        for job_id, email in submitted.items():
            token = artists[email][1]
            body = web.json(f"/api/v1/generations/{job_id}/", token)
            assert body["output"]["sha256"] == outputs[job_id].sha256
            status, headers, _ = web.call("GET", body["output"]["video_url"], token=token)
            assert status == 302, (job_id, status)
            location = headers["Location"]
            assert location.startswith(f"{s3.endpoint}/{BUCKET}/{outputs[job_id].video.name}?")
            assert "X-Amz-Signature=" in location and "X-Amz-Expires=30" in location
            status, data = _fetch(location)
            assert status == 200
            assert hashlib.sha256(data).hexdigest() == outputs[job_id].sha256
            assert data == s3.read(str(outputs[job_id].video.name))

        # Nobody else gets it: not another artist with the link, not an anonymous visitor;
        # and the bucket refuses an unsigned request (the objects are private).
        owner = submitted[held.pk]
        link = web.json(f"/api/v1/generations/{held.pk}/", artists[owner][1])["output"]["video_url"]
        stranger = next(email for email in ARTISTS if email != owner)
        for token in (artists[stranger][1], ""):
            status, headers, _ = web.call("GET", link, token=token)
            assert status == 404 and "Location" not in headers, (status, headers)
        assert _fetch(f"{s3.endpoint}/{BUCKET}/{outputs[held.pk].video.name}")[0] == 403
    finally:
        for service in services:
            service.stop()
        for worker in workers.values():
            worker.stop()
        for machine in machines.values():
            shutil.rmtree(machine.home, ignore_errors=True)
