"""The status fast path's budgets and watch when the cache is not Redis (docs/mutation.md):
``containment.services.api_poll_observe`` falls back to the same calls the whole stack
makes (``activity_observe``, ``budgets_spend``). The suite's cache is Redis, so no other
test runs this branch; here the cache is this process's memory."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from containment.services import api_poll_observe
from containment.throttles import RateLimited
from containment.windows import MemoryWindowStore, redis_client, window_store
from tests.clocks import hold_clocks

pytestmark = pytest.mark.django_db


@pytest.fixture
def memory_cache(settings) -> Iterator[None]:
    """A cache that is not Redis, and the client and window store chosen again for it (and
    again for Redis afterwards: ``redis_client`` and ``window_store`` keep their choice)."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    redis_client.cache_clear()
    window_store.cache_clear()
    assert redis_client() is None
    assert isinstance(window_store(), MemoryWindowStore)
    yield
    redis_client.cache_clear()
    window_store.cache_clear()


def test_without_redis_a_poll_still_spends_the_account_budget(
    artist, memory_cache, settings, monkeypatch
):
    """The guard: ``if client is None or not isinstance(store, RedisWindowStore)`` sends a
    cache that is not Redis to the plain calls. They count each poll against the
    account's budget (429 past it) and record where it came from; without the guard
    the poll would fail on the Redis pipeline it doesn't have."""
    settings.API_RATE_LIMIT_ACCOUNT_PER_MINUTE = 2
    moment = hold_clocks(monkeypatch)  # all three polls in one budget minute

    for _ in range(2):
        api_poll_observe(user=artist, token_id=None, ip="203.0.113.5", user_agent="poller/1")
    with pytest.raises(RateLimited):
        api_poll_observe(user=artist, token_id=None, ip="203.0.113.6", user_agent="poller/1")

    seen = window_store().members(
        f"ip:{artist.pk}", now=moment, window=settings.ANOMALY_WINDOW_SECONDS
    )
    assert sorted(seen) == ["203.0.113.5", "203.0.113.6"]  # also the refused poll's


def test_without_redis_a_shared_account_is_still_contained(
    artist, memory_cache, settings, monkeypatch
):
    """The same guard, the watch's half: polls from more addresses than allowed contain
    the account through ``activity_observe``."""
    settings.API_RATE_LIMIT_ACCOUNT_PER_MINUTE = 100
    settings.ANOMALY_MAX_DISTINCT_IPS = 2
    hold_clocks(monkeypatch)

    for last in (1, 2):
        api_poll_observe(user=artist, token_id=None, ip=f"198.51.100.{last}", user_agent="a")
    artist.refresh_from_db()
    assert not artist.is_paused
    api_poll_observe(user=artist, token_id=None, ip="198.51.100.3", user_agent="a")
    artist.refresh_from_db()
    assert artist.is_paused
