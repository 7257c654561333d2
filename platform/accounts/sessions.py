"""Keeping the session list (allauth.usersessions) current without a write per request."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable

from allauth.usersessions import app_settings
from allauth.usersessions.models import UserSession
from django.http import HttpRequest, HttpResponse

from web.http import client_ip

# allauth's own middleware updates the session row on every request; a job page polls
# twice a second. Once every one to two minutes is enough for "last seen", while a new
# address or browser is recorded at once (that is what a person checks the list for).
SEEN_EVERY_SECONDS = 60
SEEN_KEY = "accounts.session_seen"


def session_client(*, session_key: str, ip: str | None, agent: str) -> list[str | None]:
    """Who a session was last seen as; a change is recorded at once."""
    return [session_key, ip, hashlib.sha256(agent.encode()).hexdigest()[:16]]


def session_seen_lately(*, seen: list[object] | None, client: list[str | None], now: int) -> bool:
    """Whether the session's record of where it was last seen needs no update. The
    interval is 60 to 119 s, fixed per session, so sessions that began together (a workshop,
    a load test) don't all write in the same second."""
    if not seen or seen[:3] != client or not isinstance(seen[3], int):
        return False
    key = str(client[0])
    every = SEEN_EVERY_SECONDS + int(hashlib.sha256(key.encode()).hexdigest()[:8], 16) % 60
    return now - seen[3] < every


class UserSessionsMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        session = getattr(request, "session", None)
        user = getattr(request, "user", None)
        if (
            app_settings.TRACK_ACTIVITY
            and session is not None
            and session.session_key
            and user is not None
            and user.is_authenticated
        ):
            client = session_client(
                session_key=session.session_key,
                ip=client_ip(request),
                agent=request.META.get("HTTP_USER_AGENT", ""),
            )
            seen = session.get(SEEN_KEY)
            now = int(time.time())
            if not session_seen_lately(seen=seen, client=client, now=now):
                UserSession.objects.create_from_request(request)
                session[SEEN_KEY] = [*client, now]
        return self.get_response(request)
