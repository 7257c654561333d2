from __future__ import annotations

import time
from collections.abc import Callable

from jobs.models import Job


def wait_for_job(job_id: int, condition: Callable[[Job], bool], timeout: float = 60) -> Job:
    deadline = time.monotonic() + timeout
    job = Job.objects.get(pk=job_id)
    while time.monotonic() < deadline:
        job = Job.objects.select_related().get(pk=job_id)
        if condition(job):
            return job
        time.sleep(0.05)
    raise TimeoutError(f"job {job_id} stuck in {job.status} (progress {job.progress})")
