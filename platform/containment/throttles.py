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

WINDOW_SECONDS = 60


class RateLimited(exceptions.Throttled):
    default_code = "rate_limited"


def _spend(key: str, limit: int, *, what: str) -> None:
    """Count one request against ``key``; raise RateLimited past ``limit`` this minute."""
    now = time.time()
    start = int(now // WINDOW_SECONDS) * WINDOW_SECONDS
    name = f"ratelimit:{key}:{start}"
    cache.add(name, 0, timeout=WINDOW_SECONDS + 5)
    try:
        count = cache.incr(name)
    except ValueError:  # expired between add and incr
        cache.set(name, 1, timeout=WINDOW_SECONDS + 5)
        count = 1
    if count > limit:
        raise RateLimited(
            wait=max(1.0, start + WINDOW_SECONDS - now),
            detail=f"Too many API requests {what} (at most {limit} a minute).",
            code="rate_limited",
        )


def account_budget_spend(*, user_id: int) -> None:
    _spend(
        f"account:{user_id}", settings.API_RATE_LIMIT_ACCOUNT_PER_MINUTE, what="for this account"
    )


def token_budget_spend(*, token_id: int) -> None:
    _spend(f"token:{token_id}", settings.API_RATE_LIMIT_TOKEN_PER_MINUTE, what="with this token")


class AccountRateThrottle(BaseThrottle):
    """Every request of one account, whatever token or session it comes with."""

    def allow_request(self, request: Request, view: Any) -> bool:
        user = request.user
        if user is not None and user.is_authenticated:
            account_budget_spend(user_id=user.pk)
        return True


class TokenRateThrottle(BaseThrottle):
    """Every request made with one API token."""

    def allow_request(self, request: Request, view: Any) -> bool:
        if isinstance(request.auth, ApiToken):
            token_budget_spend(token_id=request.auth.pk)
        return True
