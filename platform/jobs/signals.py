"""Celery signals: a worker's heartbeat row from ``worker_ready`` to ``worker_shutdown``,
refreshed by a daemon thread (decision 0015)."""

from __future__ import annotations

import logging
import threading

from celery.signals import worker_ready, worker_shutdown
from django.conf import settings
from django.db import connection

from jobs.heartbeats import (
    worker_heartbeat_beat,
    worker_heartbeat_start,
    worker_heartbeat_stop,
    worker_name,
)

log = logging.getLogger(__name__)

_stop = threading.Event()


def _queues_of(sender: object) -> list[str]:
    consumer = getattr(sender, "app", None)
    try:
        return sorted(consumer.amqp.queues.consume_from)  # type: ignore[union-attr]
    except AttributeError:
        return []


def _beat(name: str, queues: list[str]) -> None:
    try:
        while not _stop.wait(settings.OBSERVABILITY_WORKER_HEARTBEAT_SECONDS):
            try:
                if not worker_heartbeat_beat(name=name):
                    worker_heartbeat_start(name=name, queues=queues)
            except Exception:
                # The database is away; the age metric shows it, and the next beat retries.
                log.warning("worker heartbeat for %s failed", name, exc_info=True)
                connection.close()
    finally:
        connection.close()


@worker_ready.connect
def heartbeat_start(sender: object = None, **_: object) -> None:
    name, queues = worker_name(), _queues_of(sender)
    try:
        worker_heartbeat_start(name=name, queues=queues)
    except Exception:
        log.warning("could not record worker %s as started", name, exc_info=True)
    _stop.clear()
    threading.Thread(
        target=_beat, args=(name, queues), name="worker-heartbeat", daemon=True
    ).start()


@worker_shutdown.connect
def heartbeat_stop(**_: object) -> None:
    _stop.set()
    try:
        worker_heartbeat_stop(name=worker_name())
    except Exception:
        log.warning("could not remove the heartbeat of %s", worker_name(), exc_info=True)
