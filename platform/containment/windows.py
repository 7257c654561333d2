"""Sliding windows of recent activity, shared by every web process.

With Redis as the cache (any multi-process deployment, and the test suite) a window is a
sorted set scored by time, so "distinct addresses in the last ten minutes" is exact and
costs one round trip. Without Redis (the embedded default: one web process) the same
windows live in this process's memory.
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict
from functools import lru_cache
from typing import Any, Protocol

from django.conf import settings
from django.core.cache import cache


class WindowStore(Protocol):
    def add_and_count(self, key: str, member: str, *, now: float, window: float) -> int:
        """Record ``member`` as seen at ``now``; the number of distinct members seen
        within the last ``window`` seconds, this one included."""

    def add_and_recent(self, key: str, member: str, *, now: float, window: float) -> list[float]:
        """Record ``member`` at ``now``; the times of every member in the window, oldest
        first."""

    def add_and_count_each(
        self, entries: list[tuple[str, str]], *, now: float, window: float
    ) -> list[int]:
        """``add_and_count`` for several (key, member) pairs at once (one round trip)."""

    def members(self, key: str, *, now: float, window: float) -> list[str]:
        """The members seen within the last ``window`` seconds."""

    def clear(self) -> None:
        """Forget everything (tests and operators resetting a false alarm)."""


class RedisWindowStore:
    def __init__(self, client: Any, prefix: str) -> None:
        self.client = client
        self.prefix = prefix

    def _key(self, key: str) -> str:
        return f"{self.prefix}:{key}"

    def _pipeline(self, key: str, member: str, now: float, window: float, pipe: Any = None) -> Any:
        name = self._key(key)
        pipe = self.client.pipeline(transaction=True) if pipe is None else pipe
        pipe.zadd(name, {member: now})
        pipe.zremrangebyscore(name, "-inf", now - window)
        pipe.expire(name, int(window) + 1)
        return pipe

    def add_and_count(self, key: str, member: str, *, now: float, window: float) -> int:
        return self.add_and_count_each([(key, member)], now=now, window=window)[0]

    def add_and_count_each(
        self, entries: list[tuple[str, str]], *, now: float, window: float
    ) -> list[int]:
        pipe = self.client.pipeline(transaction=True)
        self.add_and_count_queue(pipe, entries, now=now, window=window)
        return self.add_and_count_finish(pipe.execute())

    def add_and_count_queue(
        self, pipe: Any, entries: list[tuple[str, str]], *, now: float, window: float
    ) -> int:
        """``add_and_count_each`` queued on a pipeline shared with other checks; returns
        how many results it adds."""
        for key, member in entries:
            self._pipeline(key, member, now, window, pipe)
            pipe.zcard(self._key(key))
        return 4 * len(entries)

    @staticmethod
    def add_and_count_finish(results: list[Any]) -> list[int]:
        return [int(count) for count in results[3::4]]

    def add_and_recent(self, key: str, member: str, *, now: float, window: float) -> list[float]:
        pipe = self._pipeline(key, member, now, window)
        pipe.zrange(self._key(key), 0, -1, withscores=True)
        return [float(score) for _, score in pipe.execute()[-1]]

    def members(self, key: str, *, now: float, window: float) -> list[str]:
        names = self.client.zrangebyscore(self._key(key), f"({now - window}", "+inf")
        return [name.decode() if isinstance(name, bytes) else str(name) for name in names]

    def clear(self) -> None:
        for name in self.client.scan_iter(match=f"{self.prefix}:*", count=1000):
            self.client.delete(name)


class MemoryWindowStore:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._windows: dict[str, dict[str, float]] = defaultdict(dict)

    def _add(self, key: str, member: str, now: float, window: float) -> dict[str, float]:
        seen = self._windows[key]
        seen[member] = now
        cutoff = now - window
        for old in [name for name, at in seen.items() if at <= cutoff]:
            del seen[old]
        return seen

    def add_and_count(self, key: str, member: str, *, now: float, window: float) -> int:
        with self._lock:
            return len(self._add(key, member, now, window))

    def add_and_recent(self, key: str, member: str, *, now: float, window: float) -> list[float]:
        with self._lock:
            return sorted(self._add(key, member, now, window).values())

    def add_and_count_each(
        self, entries: list[tuple[str, str]], *, now: float, window: float
    ) -> list[int]:
        with self._lock:
            return [len(self._add(key, member, now, window)) for key, member in entries]

    def members(self, key: str, *, now: float, window: float) -> list[str]:
        with self._lock:
            cutoff = now - window
            return [name for name, at in self._windows.get(key, {}).items() if at > cutoff]

    def clear(self) -> None:
        with self._lock:
            self._windows.clear()


@lru_cache(maxsize=1)
def redis_client() -> Any | None:
    """One long-lived client of the cache's Redis (Django's cache makes a new client
    object for every call), or None when the cache is not Redis."""
    backend = getattr(cache, "_cache", None)
    if backend is not None and hasattr(backend, "get_client"):
        return backend.get_client(write=True)
    return None


@lru_cache(maxsize=1)
def window_store() -> WindowStore:
    """Redis when the cache is Redis, else this process's memory."""
    client = redis_client()
    if client is not None:
        return RedisWindowStore(client, settings.ANOMALY_STORE_PREFIX)
    return MemoryWindowStore()


def now() -> float:
    return time.time()
