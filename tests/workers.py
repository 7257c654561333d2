"""Real Celery worker processes for the tests: started, watched, killed."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path

from tests.waiting import wait_until

ROOT = Path(__file__).resolve().parents[1]
# Celery's own line when a task has returned (or raised): everything the task did, its
# ``finally`` blocks included, happened before it.
_TASK_ENDED = re.compile(
    r"Task jobs\.tasks\.run_job\[[^\]]+\] (?:succeeded in \S+: ('[^']*'|\S+)|(raised \w+))"
)


class WorkerProcess:
    """``celery -A config worker`` on one queue, solo pool, against the test database."""

    def __init__(
        self, *, queue: str, database_name: str, name: str, launcher: tuple[str, ...] = ()
    ) -> None:
        self.queue = queue
        self.name = name
        # Runs before celery, e.g. ("-m", "tests.faults.sabotage", "<protection>"): a
        # worker with one protection switched off.
        self.launcher = launcher or ("-m",)
        self.env = os.environ.copy()
        url = self.env["DATABASE_URL"].rsplit("/", 1)[0]
        self.env["DATABASE_URL"] = f"{url}/{database_name}"
        self.env["VERNISSAGE_GPU_QUEUE"] = queue
        self.lines: list[str] = []
        self.process: subprocess.Popen[str] | None = None

    def start(self, timeout: float = 90) -> WorkerProcess:
        self.process = subprocess.Popen(
            [
                sys.executable, *self.launcher, "celery", "-A", "config", "worker",
                "-Q", self.queue, "--pool", "solo", "--concurrency", "1", "--loglevel", "INFO",
                "--hostname", f"{self.name}@%h", "--without-gossip", "--without-mingle",
                "--without-heartbeat",
            ],
            cwd=ROOT, env=self.env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )  # fmt: skip
        threading.Thread(target=self._collect, daemon=True).start()
        self.wait_for(lambda: any(" ready." in line for line in self.lines), timeout, "ready")
        return self

    def _collect(self) -> None:
        assert self.process is not None and self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line.rstrip())

    def wait_for(self, condition: Callable[[], bool], timeout: float, what: str) -> None:
        def holds() -> bool:
            if condition():
                return True
            if self.process is not None and self.process.poll() is not None:
                raise RuntimeError(f"worker exited ({self.process.returncode}):\n" + self.log())
            return False

        wait_until(holds, timeout=timeout, what=f"worker: {what}", interval=0.05, detail=self.log)

    def tasks_ended(self) -> list[str]:
        """What each job task this worker ran returned (``'lease_lost'``, ...) or raised,
        in order, from Celery's line for it."""
        found = (_TASK_ENDED.search(line) for line in list(self.lines))
        return [match.group(1) or match.group(2) for match in found if match is not None]

    def wait_for_tasks_ended(self, count: int, timeout: float) -> list[str]:
        """Wait until ``count`` job tasks have ended here; what they returned."""
        self.wait_for(lambda: len(self.tasks_ended()) >= count, timeout, f"{count} task(s) ended")
        return self.tasks_ended()

    def log(self) -> str:
        return "\n".join(self.lines[-60:])

    def kill(self) -> None:
        """SIGKILL: no cleanup, no acknowledgement, like a lost machine."""
        assert self.process is not None
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
