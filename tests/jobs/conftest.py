from __future__ import annotations

from collections.abc import Callable

from jobs.models import Job
from tests.waiting import wait_until


def wait_for_job(job_id: int, condition: Callable[[Job], bool], timeout: float = 60) -> Job:
    """The job as soon as ``condition`` holds for it (TimeoutError after ``timeout`` s)."""
    last = Job.objects.get(pk=job_id)

    def reached() -> Job | None:
        nonlocal last
        last = Job.objects.select_related().get(pk=job_id)
        return last if condition(last) else None

    return wait_until(
        reached,
        timeout=timeout,
        what=f"job {job_id}",
        interval=0.05,
        detail=lambda: f"stuck in {last.status} (progress {last.progress})",
    )
