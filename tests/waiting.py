"""Wait for a condition, never for a time: ``wait_until`` returns as soon as the condition
holds and fails, naming what it waited for, once the deadline passes. The deadline only
bounds a failing run; a passing run waits no longer than the thing it waits for.

    job = wait_until(lambda: finished(job_id), timeout=60, what=f"job {job_id} to finish")
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")

# How often the condition is asked again: short next to anything a test waits for, long
# enough not to load the database or the CPU the code under test needs.
INTERVAL = 0.02


def wait_until(
    condition: Callable[[], T | None],
    *,
    timeout: float,
    what: str,
    interval: float = INTERVAL,
    detail: Callable[[], str] | None = None,
) -> T:
    """The condition's first truthy answer; ``TimeoutError`` naming ``what`` (and, if
    given, ``detail()``: a log, a state) when none came within ``timeout`` seconds. An
    exception the condition raises ends the wait at once (a process that died, say)."""
    deadline = time.monotonic() + timeout
    while True:
        answer = condition()
        if answer:
            return answer
        if time.monotonic() >= deadline:
            message = f"waited {timeout:g} s for {what}"
            raise TimeoutError(message + (f":\n{detail()}" if detail is not None else ""))
        time.sleep(interval)
