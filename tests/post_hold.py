"""Catch a worker with an output in post-processing, whatever the machine's speed (tests
only).

A worker started through this launcher holds each output before its post-processing
(``jobs.worker._encode_and_store``: marks … store and the success transaction) until the
test lets go of the advisory lock that ``tests.step_hold.StepHold`` holds. The render of
the next job is not held: with overlapped post-processing (decision 0031) it goes on
beside the held output.

    with StepHold() as hold:
        worker = start_worker(launcher=LAUNCHER)
        job_id = submit(client)
        hold.wait_until_held()   # the job's output waits in post

    python -m tests.post_hold celery -A config worker ...
"""

from __future__ import annotations

import os
import sys

from tests.step_hold import _KEY

LAUNCHER = ("-m", "tests.post_hold")


def _hold_before_post() -> None:
    from django.db import connection

    from jobs import worker

    real = worker._encode_and_store

    def held(job, frames):
        print(f"post hold: job {job.pk} attempt {job.attempt}", flush=True)
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock_shared(%s)", [_KEY])
            cursor.execute("SELECT pg_advisory_unlock_shared(%s)", [_KEY])
        return real(job, frames)

    worker._encode_and_store = held


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    _hold_before_post()
    from celery.__main__ import main as celery_main

    sys.argv = sys.argv[1:]
    celery_main()


if __name__ == "__main__":
    main()
