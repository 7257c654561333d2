"""Per-account and per-token API budgets: a fixed one-minute window counted in the cache
(Redis in production, so every web process shares one count), 429 with Retry-After."""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.core.cache import cache
from rest_framework import exceptions
from rest_framework.request import Request
from rest_framework.throttling import BaseThrottle

from accounts.models import ApiToken
from containment.windows import redis_client

WINDOW_SECONDS = 60


class RateLimited(exceptions.Throttled):
    default_code = "rate_limited"


Budget = tuple[str, int, str]  # key, limit a minute, "for whom" in the refusal


def _counter_commands(pipe: Any, names: list[str]) -> None:
    """Queue "add one" for each counter (created for this window if new). The keys are the
    cache's own, so ``cache.clear`` clears them too."""
    for name in names:
        key = cache.make_and_validate_key(name)
        pipe.set(key, 0, ex=WINDOW_SECONDS + 5, nx=True)
        pipe.incr(key)


def _count(names: list[str]) -> list[int]:
    """Add one to each counter; the new counts (with Redis, in one round trip)."""
    client = redis_client()
    if client is not None:
        pipe = client.pipeline(transaction=False)
        _counter_commands(pipe, names)
        return [int(count) for count in pipe.execute()[1::2]]
    counts = []
    for name in names:
        cache.add(name, 0, timeout=WINDOW_SECONDS + 5)
        try:
            counts.append(cache.incr(name))
        except ValueError:  # expired between add and incr
            cache.set(name, 1, timeout=WINDOW_SECONDS + 5)
            counts.append(1)
    return counts


def _window_start(now: float) -> int:
    return int(now // WINDOW_SECONDS) * WINDOW_SECONDS


def _names(budgets: list[Budget], now: float) -> list[str]:
    return [f"ratelimit:{key}:{_window_start(now)}" for key, _limit, _what in budgets]


def _check(budgets: list[Budget], counts: list[int], now: float) -> None:
    """Raise RateLimited for the first budget past its limit this minute."""
    for (_key, limit, what), count in zip(budgets, counts, strict=True):
        if count > limit:
            raise RateLimited(
                wait=max(1.0, _window_start(now) + WINDOW_SECONDS - now),
                detail=f"Too many API requests {what} (at most {limit} a minute).",
                code="rate_limited",
            )


def _spend(budgets: list[Budget]) -> None:
    now = time.time()
    _check(budgets, _count(_names(budgets, now)), now)


def _account_budget(user_id: int) -> Budget:
    return f"account:{user_id}", settings.API_RATE_LIMIT_ACCOUNT_PER_MINUTE, "for this account"


def _token_budget(token_id: int) -> Budget:
    return f"token:{token_id}", settings.API_RATE_LIMIT_TOKEN_PER_MINUTE, "with this token"


def request_budgets(
    *, user_id: int, token_id: int | None = None, benchmark_account: bool = False
) -> list[Budget]:
    """What one API request spends: its token's budget (if any), then its account's, which
    a benchmark's own account (``User.is_benchmark_account``) does not have."""
    token = [] if token_id is None else [_token_budget(token_id)]
    return token if benchmark_account else [*token, _account_budget(user_id)]


def budgets_spend(
    *, user_id: int, token_id: int | None = None, benchmark_account: bool = False
) -> None:
    _spend(request_budgets(user_id=user_id, token_id=token_id, benchmark_account=benchmark_account))


def budgets_spend_queue(pipe: Any, budgets: list[Budget], *, now: float) -> int:
    """Queue the counting of ``budgets`` on a Redis pipeline shared with other checks;
    returns how many results it adds (see ``budgets_spend_finish``)."""
    _counter_commands(pipe, _names(budgets, now))
    return 2 * len(budgets)


def budgets_spend_finish(budgets: list[Budget], results: list[Any], *, now: float) -> None:
    """Check the results of ``budgets_spend_queue``: RateLimited past a limit."""
    _check(budgets, [int(count) for count in results[1::2]], now)


class AccountRateThrottle(BaseThrottle):
    """Every request of one account, whatever token or session it comes with (except a
    benchmark's own account: ``containment.services.benchmark_account_exempt``)."""

    def allow_request(self, request: Request, view: Any) -> bool:
        user = request.user
        if (
            user is not None
            and user.is_authenticated
            and not getattr(user, "is_benchmark_account", False)
        ):
            _spend([_account_budget(user.pk)])
        return True


class TokenRateThrottle(BaseThrottle):
    """Every request made with one API token."""

    def allow_request(self, request: Request, view: Any) -> bool:
        if isinstance(request.auth, ApiToken):
            _spend([_token_budget(request.auth.pk)])
        return True
