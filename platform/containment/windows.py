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

    def _pipeline(self, key: str, member: str, now: float, window: float) -> Any:
        name = self._key(key)
        pipe = self.client.pipeline(transaction=True)
        pipe.zadd(name, {member: now})
        pipe.zremrangebyscore(name, "-inf", now - window)
        pipe.expire(name, int(window) + 1)
        return pipe

    def add_and_count(self, key: str, member: str, *, now: float, window: float) -> int:
        pipe = self._pipeline(key, member, now, window)
        pipe.zcard(self._key(key))
        return int(pipe.execute()[-1])

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

    def members(self, key: str, *, now: float, window: float) -> list[str]:
        with self._lock:
            cutoff = now - window
            return [name for name, at in self._windows.get(key, {}).items() if at > cutoff]

    def clear(self) -> None:
        with self._lock:
            self._windows.clear()


@lru_cache(maxsize=1)
def window_store() -> WindowStore:
    """Redis when the cache is Redis, else this process's memory."""
    backend = getattr(cache, "_cache", None)
    if backend is not None and hasattr(backend, "get_client"):
        return RedisWindowStore(backend.get_client(write=True), settings.ANOMALY_STORE_PREFIX)
    return MemoryWindowStore()


def now() -> float:
    return time.time()
