"""Catch a worker mid-job, whatever the machine's speed (tests only).

A test that kills or freezes a worker "mid-job" needs the job to still be running when it
does. Instead of a render slow enough to catch, a worker started through this launcher
stops after its job's ``HOLD_STEP`` step and waits for a PostgreSQL advisory lock that
the test holds (``StepHold``). The test sees it waiting (its lease still renewed by the
heartbeat thread), acts on it, then lets go:

    with StepHold() as hold:
        worker = start_worker(launcher=LAUNCHER)
        job_id = submit(client)
        hold.wait_until_held()
        worker.kill()

    python -m tests.step_hold celery -A config worker ...
"""

from __future__ import annotations

import os
import sys
from types import TracebackType
from typing import Any

import psycopg

from tests.waiting import wait_until

LAUNCHER = ("-m", "tests.step_hold")
HOLD_STEP = 2
# Another step to hold at, from the worker's environment: e.g. a storyboard's second shot
# (the reporter counts steps across its shots).
HOLD_STEP_ENV = "VERNISSAGE_TEST_HOLD_STEP"
_KEY = 0x5645524E  # "VERN": this test hold's advisory lock


class StepHold:
    """Holds the advisory lock from a connection of its own while the block lasts."""

    def __init__(self) -> None:
        self._connection: psycopg.Connection[Any] | None = None

    def __enter__(self) -> StepHold:
        from tests.concurrency import connect_aside

        self._connection = connect_aside(autocommit=True)
        self._connection.execute("SELECT pg_advisory_lock(%s)", [_KEY])
        return self

    def held(self) -> int:
        """How many workers wait at the hold now."""
        assert self._connection is not None
        row = self._connection.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE %s = ANY(pg_blocking_pids(pid))",
            [self._connection.info.backend_pid],
        ).fetchone()
        return int(row[0]) if row else 0

    def wait_until_held(self, *, timeout: float = 120) -> None:
        """Return once a worker waits at the hold (its job is running, at HOLD_STEP)."""
        wait_until(lambda: self.held() > 0, timeout=timeout, what="a worker held at its step")

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        assert self._connection is not None
        self._connection.close()  # lets go of the lock


def _hold_at_step() -> None:
    from django.db import connection

    from jobs import worker

    real_step = worker.StepReporter.__call__
    hold_step = int(os.environ.get(HOLD_STEP_ENV, HOLD_STEP))

    def step(self: worker.StepReporter, done: int, total: int) -> None:
        real_step(self, done, total)
        if done == hold_step:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_lock_shared(%s)", [_KEY])
                cursor.execute("SELECT pg_advisory_unlock_shared(%s)", [_KEY])

    worker.StepReporter.__call__ = step  # type: ignore[method-assign]


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    _hold_at_step()
    from celery.__main__ import main as celery_main

    sys.argv = sys.argv[1:]
    celery_main()


if __name__ == "__main__":
    main()
