"""Start a worker or web process with one protection switched off (tests only).

A fault test is worth something only if it fails when the protection it is about is
missing. The processes under test are real subprocesses, so a monkeypatch in the test
process can't reach them; this launcher applies the patch inside the child first:

    python -m tests.faults.sabotage <protection> celery -A config worker ...
    python -m tests.faults.sabotage <protection> gunicorn config.wsgi ...

``none`` switches nothing off (the same launcher, so both variants start alike).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable


def _attempt_fencing() -> None:
    """Worker writes no longer name the attempt they claimed: a stale worker's heartbeat,
    progress and result land on the row whoever holds it now."""
    from django.db.models import QuerySet

    from jobs import worker
    from jobs.models import Job

    def unfenced(job: Job) -> QuerySet[Job]:
        return Job.objects.filter(pk=job.pk)

    def step(self: worker.StepReporter, done: int, total: int) -> None:
        if done == 1 or done == total:
            self.write(worker.STEPS_SHARE * done / total)

    worker._mine = unfenced
    worker.StepReporter.__call__ = step  # type: ignore[method-assign]


def _render_watchdog() -> None:
    """No render watchdog: a render stuck inside a step keeps its worker (and its GPU)
    for ever, renewing the job's lease all the while."""
    from jobs.watchdog import RenderWatchdog

    def never_fires(self: RenderWatchdog) -> None:
        return None

    RenderWatchdog._run = never_fires  # type: ignore[method-assign]


def _outage_503() -> None:
    """No DatabaseOutageMiddleware: a database outage answers Django's plain 500."""
    from django.conf import settings

    settings.MIDDLEWARE = [
        m for m in settings.MIDDLEWARE if m != "web.outage.DatabaseOutageMiddleware"
    ]


PROTECTIONS: dict[str, Callable[[], None]] = {
    "none": lambda: None,
    "attempt_fencing": _attempt_fencing,
    "outage_503": _outage_503,
    "render_watchdog": _render_watchdog,
}


def main() -> None:
    protection, program, *args = sys.argv[1:]
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    PROTECTIONS[protection]()
    sys.argv = [program, *args]
    if program == "celery":
        from celery.__main__ import main as celery_main

        celery_main()
    elif program == "gunicorn":
        from gunicorn.app.wsgiapp import run

        run()
    else:
        raise SystemExit(f"unknown program {program!r}")


if __name__ == "__main__":
    main()
