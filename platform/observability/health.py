"""Readiness checks: can this process reach what it needs to serve? (decision 0015)

Each check runs in its own thread under one deadline, so a hung dependency makes the
probe fail on time instead of hanging it. Results name the check and the exception
class only: messages may hold hosts or credentials.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.db import connections


@dataclass(frozen=True)
class CheckResult:
    name: str
    ok: bool
    milliseconds: float
    error: str = ""

    def as_dict(self) -> dict[str, object]:
        result: dict[str, object] = {"ok": self.ok, "ms": round(self.milliseconds, 1)}
        if self.error:
            result["error"] = self.error
        return result


def check_database() -> None:
    """Every configured database answers a query."""
    for alias in connections:
        try:
            with connections[alias].cursor() as cursor:
                cursor.execute("SELECT 1")
                cursor.fetchone()
        finally:
            # A thread of its own: its connections would otherwise outlive it.
            connections[alias].close()


def check_broker() -> None:
    """Celery's broker accepts a connection (redis://, amqp:// or the embedded
    filesystem:// transport)."""
    from kombu import Connection

    timeout = settings.OBSERVABILITY_READY_TIMEOUT_SECONDS
    options = dict(settings.CELERY_BROKER_TRANSPORT_OPTIONS)
    if settings.CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
        options.update(socket_connect_timeout=timeout, socket_timeout=timeout)
    with Connection(
        settings.CELERY_BROKER_URL, connect_timeout=timeout, transport_options=options
    ) as broker:
        broker.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=timeout)
        broker.default_channel  # noqa: B018  (opening a channel talks to the server)


def check_storage() -> None:
    """The private storage (outputs, screenshots) takes a write and a delete."""
    storage = storages["private"]
    name = storage.save(f"readyz/{uuid.uuid4().hex}.probe", ContentFile(b"ok"))
    storage.delete(name)


CHECKS: dict[str, Callable[[], None]] = {
    "database": check_database,
    "broker": check_broker,
    "storage": check_storage,
}


def _timed(name: str, check: Callable[[], None]) -> CheckResult:
    started = time.perf_counter()
    try:
        check()
    except Exception as error:
        return CheckResult(
            name, False, (time.perf_counter() - started) * 1000, type(error).__name__
        )
    return CheckResult(name, True, (time.perf_counter() - started) * 1000)


def readiness() -> list[CheckResult]:
    """Run every check at once; any not done by the deadline counts as failed
    ("timeout"). Its thread is left to finish on its own."""
    deadline = time.monotonic() + settings.OBSERVABILITY_READY_TIMEOUT_SECONDS + 0.5
    pool = ThreadPoolExecutor(max_workers=len(CHECKS), thread_name_prefix="readyz")
    try:
        futures = {name: pool.submit(_timed, name, check) for name, check in CHECKS.items()}
        results = []
        for name, future in futures.items():
            try:
                results.append(future.result(timeout=max(0.0, deadline - time.monotonic())))
            except FutureTimeout:
                results.append(
                    CheckResult(
                        name, False, settings.OBSERVABILITY_READY_TIMEOUT_SECONDS * 1000, "timeout"
                    )
                )
        return results
    finally:
        pool.shutdown(wait=False, cancel_futures=True)
