"""Render time limits (issue 16): each model's maximum render time, and the watchdog that
replaces a worker whose render will not stop.

A render that still steps is stopped by its step callback (``jobs.worker.StepReporter``
raises ``RenderTimedOut`` past the deadline). A render stuck inside a step never calls
back, and a Python thread can't be interrupted from outside, so the watchdog thread, at
the limit plus a grace period, marks the attempt failed (fenced by attempt, like every
worker write) and ends the process; systemd (``Restart=always``) or ``manage.py serve``
starts a new one. Should that write not happen, the job's lease stops being renewed with
the process and the reaper recovers it (decision 0005).
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
import threading
import time
from collections.abc import Callable
from types import TracebackType

from django.conf import settings
from django.db import connection

log = logging.getLogger(__name__)

# The worker process's exit status when the watchdog ends it (EX_SOFTWARE).
WATCHDOG_EXIT_CODE = 70
# How long the watchdog waits for its own write before ending the process anyway (the
# row may be locked by the very transaction that is stuck).
WRITE_TIMEOUT_SECONDS = 10.0


def render_limit_seconds(*, model: str, steps: int) -> int:
    """A job's maximum render time: its model's setting, else derived from its steps."""
    configured = settings.GENERATION_MAX_RENDER_SECONDS.get(model)
    if configured is not None:
        return int(configured)
    return int(
        settings.GENERATION_RENDER_FIXED_SECONDS
        + settings.GENERATION_RENDER_SECONDS_PER_STEP * steps
    )


class RenderWatchdog:
    """While the block lasts: ``deadline`` (``time.monotonic()``) is when the render must
    stop; at ``deadline + grace_seconds`` the thread calls ``on_hard_limit`` (the fenced
    failure write) and ends the process with ``WATCHDOG_EXIT_CODE``."""

    def __init__(
        self,
        *,
        job_id: int,
        limit_seconds: float,
        grace_seconds: float,
        on_hard_limit: Callable[[], object],
        exit_process: Callable[[int], object] = os._exit,
    ) -> None:
        self.job_id = job_id
        self.limit_seconds = limit_seconds
        self.grace_seconds = grace_seconds
        self.deadline = time.monotonic() + limit_seconds
        self.fired = threading.Event()
        self._on_hard_limit = on_hard_limit
        self._exit_process = exit_process
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._run, name=f"watchdog-{job_id}", daemon=True)

    def __enter__(self) -> RenderWatchdog:
        self.deadline = time.monotonic() + self.limit_seconds
        self._thread.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        with self._lock:  # once the watchdog has fired, the process is ending
            self._stop.set()

    def _run(self) -> None:
        hard_limit = self.deadline + self.grace_seconds
        if self._stop.wait(max(0.0, hard_limit - time.monotonic())):
            return
        with self._lock:
            if self._stop.is_set():
                return
            self.fired.set()
            log.error(
                "job %s: render still running %s s past its %s s limit; ending this worker",
                self.job_id, self.grace_seconds, self.limit_seconds,
            )  # fmt: skip
            writer = threading.Thread(target=self._write, name=f"watchdog-write-{self.job_id}")
            writer.daemon = True
            writer.start()
            writer.join(timeout=WRITE_TIMEOUT_SECONDS)
            for stream in (sys.stdout, sys.stderr):
                with contextlib.suppress(Exception):  # the process ends either way
                    stream.flush()
            self._exit_process(WATCHDOG_EXIT_CODE)

    def _write(self) -> None:
        try:
            outcome = self._on_hard_limit()
            log.error("job %s: attempt ended by the watchdog: %s", self.job_id, outcome)
        except Exception:
            log.exception("job %s: the watchdog could not write; the reaper will", self.job_id)
        finally:
            connection.close()
