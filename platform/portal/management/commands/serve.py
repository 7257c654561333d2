"""The embedded default in one command: web server, one generation worker, the housekeeper."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from config.paths import BASE_DIR
from config.settings.base import SERVED_URL_FILE
from jobs.management.commands.build_tiny_model import BUILDERS as TINY_BUILDERS


def record_site_url(address: str) -> str:
    """Write where links should point (DATA_DIR/served_url): the site URL `make demo`
    exports, else the address served. `manage.py invite`, run later from another shell
    without that environment, reads it (config.settings.base.served_url)."""
    site_url = (os.environ.get("VERNISSAGE_SITE_URL") or f"http://{address}").rstrip("/")
    settings.DATA_DIR.mkdir(parents=True, exist_ok=True)
    (settings.DATA_DIR / SERVED_URL_FILE).write_text(f"{site_url}\n")
    return site_url


# Started again when it exits, like systemd's Restart=always in deploy/: a worker whose
# render will not stop ends itself (jobs.watchdog) and its job is retried on the new one.
# Any other process exiting stops everything.
RESTARTED = frozenset({"worker"})
RESTART_DELAY_SECONDS = 5.0


def _start(command: list[str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(command, cwd=BASE_DIR)  # noqa: S603


def watch(
    processes: dict[str, subprocess.Popen[Any]],
    commands: dict[str, list[str]],
    *,
    say: Callable[[str], None],
    start: Callable[[list[str]], subprocess.Popen[Any]] = _start,
    restart_delay: float = RESTART_DELAY_SECONDS,
    poll_seconds: float = 1.0,
) -> None:
    """Watch the processes, starting a RESTARTED one again when it exits (``processes``
    is updated in place); returns when any other one exits."""
    while True:
        for name, process in list(processes.items()):
            if process.poll() is None:
                continue
            if name not in RESTARTED:
                say(f"{name} exited with {process.returncode}; stopping.")
                return
            say(f"{name} exited with {process.returncode}; starting a new one.")
            time.sleep(restart_delay)
            processes[name] = start(commands[name])
        time.sleep(poll_seconds)


class Command(BaseCommand):
    help = (
        "Run the whole platform on this machine: the web server, a generation worker "
        "(Celery, one process) and the housekeeper. Builds the tiny models offered first if "
        "missing. "
        "Ctrl-C stops everything."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("address", nargs="?", default="127.0.0.1:8000")

    def handle(self, *args: Any, **options: Any) -> None:
        # Every tiny model offered (make demo offers the image-to-video ones too).
        for model in settings.GENERATION_ENABLED_MODELS:
            if model in TINY_BUILDERS:
                call_command("build_tiny_model", model=model)
        record_site_url(options["address"])
        python = sys.executable
        commands = {
            "web": [python, "manage.py", "runserver", options["address"], "--noreload"],
            "worker": [
                python, "-m", "celery", "-A", "config", "worker", "-Q", "gpu",
                "--pool", "solo", "--concurrency", "1", "--loglevel", "INFO",
                "--hostname", "embedded-gpu@%h",
            ],
            "housekeeping": [python, "manage.py", "housekeeping"],
        }  # fmt: skip
        processes = {name: _start(command) for name, command in commands.items()}
        self.stdout.write(self.style.SUCCESS(f"Serving on http://{options['address']}/"))

        def stop(*_: object) -> None:
            for process in processes.values():
                if process.poll() is None:
                    process.terminate()
            for process in processes.values():
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    process.kill()

        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
        try:
            watch(processes, commands, say=self.stderr.write)
        except KeyboardInterrupt:
            pass
        finally:
            stop()
