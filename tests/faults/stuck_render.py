"""Start a worker whose render blocks for ever inside a step (tests only).

A render stuck in a GPU kernel, a driver call or a deadlock never returns to the step
callback, so no per-step check can stop it. A worker started through this launcher
blocks after the first step of every attempt up to ``STUCK_ATTEMPTS`` (environment, default
1): the step callback never returns and the render never calls back again. Later attempts
render normally, as a job does once the fault is gone.

    python -m tests.faults.stuck_render <protection> celery -A config worker ...

``<protection>`` is passed on to ``tests.faults.sabotage`` (``none`` or one to switch off).
"""

from __future__ import annotations

import os
import threading

STUCK_ATTEMPTS = "STUCK_ATTEMPTS"
LAUNCHER = ("-m", "tests.faults.stuck_render")


def _block_inside_a_step() -> None:
    from jobs import worker

    real_step = worker.StepReporter.__call__
    stuck_attempts = int(os.environ.get(STUCK_ATTEMPTS, "1"))

    def step(self: worker.StepReporter, done: int, total: int) -> None:
        real_step(self, done, total)
        if done == 1 and self.job.attempt <= stuck_attempts:
            print(f"stuck render: job {self.job.pk} attempt {self.job.attempt}", flush=True)
            threading.Event().wait()  # for ever

    worker.StepReporter.__call__ = step  # type: ignore[method-assign]


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    _block_inside_a_step()
    from tests.faults import sabotage

    sabotage.main()


if __name__ == "__main__":
    main()
