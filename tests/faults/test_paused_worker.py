"""A worker frozen with SIGSTOP past its lease and then resumed with SIGCONT.

tests/jobs/test_faults.py fences a stale worker by calling the worker functions in the test
process; this is the same fault with real processes and real signals: the frozen worker's
lease runs out, the reaper re-queues the job, another worker runs it, and the frozen one,
resumed after the re-run finished, must be refused.
"""

from __future__ import annotations

import os
import signal
import socket
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from jobs.models import Job, JobStatus, Output
from tests.faults.conftest import SMALL_REQUEST, protection_params
from tests.jobs.conftest import wait_for_job
from tests.jobs.test_faults import reap_after_lease_expiry
from tests.workers import WorkerProcess

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize(
    "protection", protection_params(reason="unfenced, the resumed worker carries on")
)
def test_a_worker_resumed_after_its_lease_ran_out_is_refused(
    client, artist, start_worker, settings, protection
):
    """The protection: fencing by attempt (``jobs.worker._mine`` and the attempt check in
    ``StepReporter``; decision 0005). Switched off in the frozen worker's process, its
    late writes are accepted and it carries on instead of stopping with LeaseLost."""
    settings.GENERATION_MODELS = {
        **settings.GENERATION_MODELS,
        "tiny-wan": {**settings.GENERATION_MODELS["tiny-wan"], "steps": 12},
    }
    client.force_login(artist)
    launcher = ("-m", "tests.faults.sabotage", "attempt_fencing" if protection == "off" else "none")
    # The rescuer listens on a queue of its own, where the reaper will publish the job
    # again; both start at once (loading the model takes a while).
    rescuer = WorkerProcess(
        queue=f"{settings.GENERATION_QUEUE}-rescue",
        database_name=connection.settings_dict["NAME"],
        name="rescuer",
    )
    with ThreadPoolExecutor(2) as pool:
        starting = pool.submit(rescuer.start)
        frozen = start_worker(launcher=launcher)
        starting.result()
    assert frozen.process is not None and rescuer.process is not None
    try:
        response = client.post("/api/v1/generations/", SMALL_REQUEST, "application/json")
        job_id = response.json()["id"]
        wait_for_job(job_id, lambda j: j.status == JobStatus.RUNNING and j.progress > 0)
        os.kill(frozen.process.pid, signal.SIGSTOP)
        settings.GENERATION_QUEUE = rescuer.queue
        try:
            reap_after_lease_expiry(job_id)
            job = wait_for_job(job_id, lambda j: j.is_terminal, timeout=90)
            assert (job.status, job.attempt) == (JobStatus.SUCCEEDED, 2), rescuer.log()
        finally:
            resumed_at = time.monotonic()
            os.kill(frozen.process.pid, signal.SIGCONT)

        # Resumed, it is refused at its next step and stops. Once its task has ended it
        # has written everything it was going to write (an unfenced worker carries on
        # to the end of the job and then ends too).
        ended = frozen.wait_for_tasks_ended(1, timeout=60)
        assert ended == ["'lease_lost'"], frozen.log()
        assert any("lease lost" in line for line in frozen.lines), frozen.log()
        assert time.monotonic() - resumed_at < 20
        job = Job.objects.get(pk=job_id)
        assert (job.status, job.attempt, job.progress) == (JobStatus.SUCCEEDED, 2, 1.0)
        assert job.worker == f"{socket.gethostname()}:{rescuer.process.pid}"
        output = Output.objects.get(job_id=job_id)
        assert (output.video.name or "").endswith(f"job-{job_id}-a2.mp4")
    finally:
        frozen.kill()
        rescuer.stop()
