from __future__ import annotations

import time
from collections.abc import Callable, Iterator

import pytest
from django.db import connection

from jobs.models import Job
from tests.jobs.workers import WorkerProcess


@pytest.fixture(scope="session")
def gpu_worker(django_db_setup, django_db_blocker, tiny_model) -> Iterator[WorkerProcess]:
    """One real worker on the ``gpu`` queue for the whole run (loads the model once)."""
    with django_db_blocker.unblock():
        name = connection.settings_dict["NAME"]
    worker = WorkerProcess(queue="gpu", database_name=name, name="session-gpu").start()
    yield worker
    worker.stop()


@pytest.fixture
def start_worker(django_db_setup, tiny_model, settings) -> Iterator[Callable[[], WorkerProcess]]:
    """Start workers on a queue of this test's own, so the session worker can't interfere."""
    settings.GENERATION_QUEUE = f"gpu-test-{time.monotonic_ns()}"
    started: list[WorkerProcess] = []

    def start() -> WorkerProcess:
        worker = WorkerProcess(
            queue=settings.GENERATION_QUEUE,
            database_name=connection.settings_dict["NAME"],
            name=f"faults-{len(started)}",
        ).start()
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.stop()


def wait_for_job(job_id: int, condition: Callable[[Job], bool], timeout: float = 60) -> Job:
    deadline = time.monotonic() + timeout
    job = Job.objects.get(pk=job_id)
    while time.monotonic() < deadline:
        job = Job.objects.select_related().get(pk=job_id)
        if condition(job):
            return job
        time.sleep(0.05)
    raise TimeoutError(f"job {job_id} stuck in {job.status} (progress {job.progress})")
