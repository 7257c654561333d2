"""Both window stores count distinct members in a sliding window the same way."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.core.cache import cache

from containment.windows import MemoryWindowStore, RedisWindowStore, window_store


def stores():
    redis = RedisWindowStore(cache._cache.get_client(write=True), settings.ANOMALY_STORE_PREFIX)  # type: ignore[attr-defined]
    redis.clear()
    return [MemoryWindowStore(), redis]


@pytest.mark.parametrize("index", [0, 1], ids=["memory", "redis"])
def test_distinct_members_slide_out_of_the_window(index):
    store = stores()[index]
    assert store.add_and_count("k", "a", now=100.0, window=10) == 1
    assert store.add_and_count("k", "a", now=101.0, window=10) == 1  # same member again
    assert store.add_and_count("k", "b", now=105.0, window=10) == 2
    assert store.add_and_count("k", "c", now=111.5, window=10) == 2  # "a" (101) slid out
    assert sorted(store.members("k", now=111.5, window=10)) == ["b", "c"]
    assert store.add_and_recent("t", "x", now=1.0, window=10) == [1.0]
    assert store.add_and_recent("t", "y", now=2.0, window=10) == [1.0, 2.0]
    store.clear()
    assert store.members("k", now=111.5, window=10) == []


def test_the_suite_shares_one_redis_window_store():
    assert isinstance(window_store(), RedisWindowStore)
