"""Real Celery worker processes for the tests: started, watched, killed."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


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
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if condition():
                return
            if self.process is not None and self.process.poll() is not None:
                raise RuntimeError(f"worker exited ({self.process.returncode}):\n" + self.log())
            time.sleep(0.05)
        raise TimeoutError(f"worker: no {what} within {timeout}s:\n" + self.log())

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
