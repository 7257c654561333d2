"""Force an interleaving of real transactions with PostgreSQL's own locks, never with
sleeps: one connection holds a row lock while the racers pile up behind it (each seen
waiting in ``pg_stat_activity``), then it lets go and they run in the order the code
under test imposes, or fail to.

    with RowLock(User, artist.pk):
        racers = [Racer(submit), Racer(submit)]
        start_and_wait_until_blocked(racers)
    outcomes = finish(racers)
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from types import TracebackType
from typing import Any

import psycopg
from django.db import connection
from django.db.models import Model

# A racer that is not seen waiting within this time never reached the lock: the
# interleaving was not forced, and the test says so instead of passing by luck.
BLOCK_TIMEOUT = 15.0


def connect_aside(*, autocommit: bool) -> psycopg.Connection[Any]:
    """A connection of its own to the test database (not Django's, not this thread's)."""
    settings = connection.settings_dict
    return psycopg.connect(
        host=settings["HOST"], port=settings["PORT"], user=settings["USER"],
        password=settings["PASSWORD"], dbname=settings["NAME"], autocommit=autocommit,
    )  # fmt: skip


class RowLock:
    """Hold ``SELECT ... FOR UPDATE`` on one row from a connection of its own until the
    block ends (the lock a concurrent writer would hold)."""

    def __init__(self, model: type[Model], pk: int) -> None:
        self.model, self.pk = model, pk
        self._connection: psycopg.Connection[Any] | None = None

    def __enter__(self) -> RowLock:
        self._connection = connect_aside(autocommit=False)
        table = connection.ops.quote_name(self.model._meta.db_table)
        found = self._connection.execute(
            f"SELECT 1 FROM {table} WHERE id = %s FOR UPDATE",  # noqa: S608 (a model's table)
            [self.pk],
        ).fetchone()
        assert found is not None, f"no {self.model.__name__} {self.pk} to lock"
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        assert self._connection is not None
        self._connection.commit()
        self._connection.close()


class Racer(threading.Thread):
    """Runs ``work`` on a Django connection of its own; keeps what it returned or raised."""

    def __init__(self, work: Callable[[], object]) -> None:
        super().__init__(daemon=True)
        self.work = work
        self.backend_pid: int | None = None
        self.connected = threading.Event()
        self.result: object = None
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            connection.ensure_connection()
            self.backend_pid = connection.connection.info.backend_pid
            self.connected.set()
            self.result = self.work()
        except BaseException as error:  # reported by the test's thread
            self.error = error
        finally:
            self.connected.set()
            connection.close()

    @property
    def outcome(self) -> str:
        """``"ok"`` or the name of the exception it raised."""
        return "ok" if self.error is None else type(self.error).__name__


def start_and_wait_until_blocked(racers: Sequence[Racer]) -> None:
    """Start every racer and return once each one waits for a lock."""
    for racer in racers:
        racer.start()
    for racer in racers:
        assert racer.connected.wait(BLOCK_TIMEOUT), "a racer never connected"
    pids = [racer.backend_pid for racer in racers]
    deadline = time.monotonic() + BLOCK_TIMEOUT
    with connect_aside(autocommit=True) as watcher:
        while True:
            finished = [racer for racer in racers if not racer.is_alive()]
            assert not finished, (
                "a racer finished without waiting for the lock, so the interleaving was "
                f"not forced: {[(racer.outcome, racer.error) for racer in finished]}"
            )
            waiting = {
                row[0]
                for row in watcher.execute(
                    "SELECT pid FROM pg_stat_activity "
                    "WHERE pid = ANY(%s) AND wait_event_type = 'Lock'",
                    [pids],
                )
            }
            if waiting == set(pids):
                return
            assert time.monotonic() < deadline, f"only {waiting} of {pids} wait for a lock"
            time.sleep(0.02)  # polling a condition, not timing the race


def finish(racers: Sequence[Racer]) -> list[str]:
    """Wait for every racer; their outcomes, sorted."""
    for racer in racers:
        racer.join(timeout=60)
        assert not racer.is_alive(), "a racer is still running after 60 s"
    return sorted(racer.outcome for racer in racers)
