"""Throwaway PostgreSQL and Redis servers on loopback for the test suite.

Loaded with ``-p tests.servers`` (see pyproject.toml) so the servers are up, and
DATABASE_URL / REDIS_URL point at them, before pytest-django reads the settings. Both
are stopped and their data folders removed when the run ends, however it ends.
"""

from __future__ import annotations

import atexit
import contextlib
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _postgres_bin(name: str) -> str:
    found = shutil.which(name)
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True)
    if candidates:
        return candidates[0]
    if found:
        return found
    raise RuntimeError(f"PostgreSQL's {name} is not installed: run `make test`, which installs it.")


class PostgresServer:
    """initdb + pg_ctl in a temporary folder. PostgreSQL refuses to run as root, so
    as root the server runs as the 'postgres' system user. ``durable`` keeps fsync and
    synchronous commit on, for tests that crash it (``crash``, then ``resume``)."""

    def __init__(self, *, durable: bool = False) -> None:
        self.durable = durable
        self.port = _free_port()
        self.root = Path(tempfile.mkdtemp(prefix="vernissage-pg-"))
        self.data = self.root / "data"
        self.user = "postgres" if os.geteuid() == 0 else pwd.getpwuid(os.geteuid()).pw_name
        if os.geteuid() == 0:
            shutil.chown(self.root, user="postgres")

    def _run(self, *args: str) -> None:
        command = list(args)
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        result = subprocess.run(command, capture_output=True, text=True, check=False)
        if result.returncode != 0:
            raise RuntimeError(f"{' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")

    def start(self) -> str:
        self._run(
            _postgres_bin("initdb"), "-D", str(self.data), "-U", "postgres",
            "--auth=trust", "-E", "UTF8", "--locale=C", "--no-sync",
        )  # fmt: skip
        self.resume()
        return f"postgres://postgres@127.0.0.1:{self.port}/postgres"

    def resume(self) -> None:
        """Start the server on its data folder (again, after ``crash``)."""
        options = f"-h 127.0.0.1 -p {self.port} -k {self.root}"
        if not self.durable:
            # Durability is pointless for a throwaway server; speed is not.
            options += " -F -c fsync=off -c full_page_writes=off -c synchronous_commit=off"
        self._run(
            _postgres_bin("pg_ctl"), "-D", str(self.data), "-o", options,
            "-l", str(self.root / "server.log"), "-w", "-t", "60", "start",
        )  # fmt: skip

    def crash(self) -> None:
        """``pg_ctl -m immediate``: every backend killed, no checkpoint, recovery on start."""
        self._run(_postgres_bin("pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop")

    def stop(self) -> None:
        if self.data.exists():
            with contextlib.suppress(RuntimeError):  # already stopped
                self._run(_postgres_bin("pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop")
        shutil.rmtree(self.root, ignore_errors=True)


class RedisServer:
    """redis-server on loopback. ``persistent`` keeps the data in an append-only file
    (fsync on every write) in ``root``, so a server started again on the same root, like
    a production broker after a restart, still holds what was queued."""

    def __init__(
        self, port: int | None = None, *, root: Path | None = None, persistent: bool = False
    ) -> None:
        self.port = port or _free_port()
        self.root = root or Path(tempfile.mkdtemp(prefix="vernissage-redis-"))
        self.persistent = persistent
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> str:
        binary = shutil.which("redis-server")
        if binary is None:
            raise RuntimeError("redis-server is not installed: run `make test`, which installs it.")
        self.process = subprocess.Popen(
            [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "yes" if self.persistent else "no", "--appendfsync", "always",
             "--dir", str(self.root)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as sock:
                    sock.sendall(b"PING\r\n")
                    if sock.recv(16).startswith(b"+PONG"):
                        return f"redis://127.0.0.1:{self.port}/0"
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not answer within 20 s")

    def stop(self, *, keep_data: bool = False) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
        if not keep_data:
            shutil.rmtree(self.root, ignore_errors=True)


_servers: list[PostgresServer | RedisServer] = []
_folders: list[str] = []


def _stop_all() -> None:
    while _servers:
        _servers.pop().stop()
    while _folders:
        shutil.rmtree(_folders.pop(), ignore_errors=True)


def _start_all() -> None:
    postgres, redis = PostgresServer(), RedisServer()
    _servers.extend([postgres, redis])
    atexit.register(_stop_all)
    os.environ["DATABASE_URL"] = postgres.start()
    os.environ["REDIS_URL"] = redis.start()
    # Jobs travel through the same real Redis (another database index) to real workers.
    os.environ["CELERY_BROKER_URL"] = os.environ["REDIS_URL"].rsplit("/", 1)[0] + "/1"
    # Short leases so fault tests recover in seconds; workers get the same environment.
    os.environ["VERNISSAGE_LEASE_SECONDS"] = "3"
    os.environ["HF_HUB_OFFLINE"] = "1"
    # Keep test runs away from the developer's embedded data folder.
    _folders.append(tempfile.mkdtemp(prefix="vernissage-data-"))
    os.environ["VERNISSAGE_DATA_DIR"] = _folders[-1]
    # Built on first use by the tiny_model fixture (tests/conftest.py).
    os.environ["VERNISSAGE_TINY_MODEL_PATH"] = os.path.join(_folders[-1], "models", "tiny-wan")
    os.environ.setdefault("DJANGO_SECRET_KEY", "tests-only-secret-key-not-for-production")
    # Passwords hashed in one fast round, here and in every process the tests start (no
    # test depends on how a password is hashed; production keeps PBKDF2: config/settings/auth.py).
    os.environ["VERNISSAGE_PASSWORD_HASHERS"] = "django.contrib.auth.hashers.MD5PasswordHasher"
    # Playwright's sync API runs an event loop in the test thread; Django must allow ORM
    # calls from it (only in tests).
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"


# At import, i.e. when pytest loads this plugin: before pytest-django reads the settings.
_start_all()


def pytest_unconfigure(config: pytest.Config) -> None:
    _stop_all()
