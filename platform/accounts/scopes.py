"""Which API token scope reaches which operation (docs/api-tokens.md).

Artists hold ``read`` and ``generate`` tokens, staff hold ``review:read`` and
``review:write`` tokens; neither may hold the other's. Each API view says, per HTTP
method, which scopes reach it (``token_scopes``); a method it doesn't name is for
browser sessions only. ``accounts.authentication.TokenScopeAllows`` enforces both rules.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from accounts.models import TokenScope
from accounts.permissions import is_staff_member

if TYPE_CHECKING:
    from accounts.models import User

ARTIST_SCOPES: frozenset[str] = frozenset({TokenScope.READ, TokenScope.GENERATE})
STAFF_SCOPES: frozenset[str] = frozenset({TokenScope.REVIEW_READ, TokenScope.REVIEW_WRITE})

# What a view's ``token_scopes`` names, per method.
ARTIST_READ = ARTIST_SCOPES  # the holder's own things
ARTIST_GENERATE: frozenset[str] = frozenset({TokenScope.GENERATE})
STAFF_READ = STAFF_SCOPES  # the review queue, any artist's jobs, safety findings
STAFF_WRITE: frozenset[str] = frozenset({TokenScope.REVIEW_WRITE})  # decide, claim, take down
ANYONE_READ = ARTIST_SCOPES | STAFF_SCOPES  # the caller's own profile, the NDA, the rate card

_SAFE = ("GET", "HEAD")


def token_scopes_for(user: User) -> list[str]:
    """The scopes ``user`` may hold, weakest first: anyone with staff powers (the flag,
    or a staff role, as for two-factor authentication: ``is_staff_member``) reviews;
    everyone else reads and generates."""

    if is_staff_member(user):
        return [TokenScope.REVIEW_READ, TokenScope.REVIEW_WRITE]
    return [TokenScope.READ, TokenScope.GENERATE]


def view_token_scopes(view: Any, method: str) -> frozenset[str]:
    """The scopes that reach ``method`` on ``view``. HEAD is GET; OPTIONS (a description
    of the operation) is open to any scope the view admits anywhere."""
    declared: dict[str, frozenset[str]] = getattr(view, "token_scopes", {})
    method = method.upper()
    if method == "OPTIONS":
        return frozenset().union(*declared.values())
    if method in _SAFE:
        method = "GET"
    return declared.get(method, frozenset())
