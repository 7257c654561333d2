"""Keeping the session list (allauth.usersessions) current without a write per request."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable

from allauth.usersessions import app_settings
from allauth.usersessions.models import UserSession
from django.http import HttpRequest, HttpResponse

from portal.http import client_ip

# allauth's own middleware updates the session row on every request; a job page polls
# twice a second. Once a minute is enough for "last seen", while a new address or
# browser is recorded at once (that is what a person checks the list for).
SEEN_EVERY_SECONDS = 60
SEEN_KEY = "accounts.session_seen"


def session_client(*, session_key: str, ip: str | None, agent: str) -> list[str | None]:
    """Who a session was last seen as; a change is recorded at once."""
    return [session_key, ip, hashlib.sha256(agent.encode()).hexdigest()[:16]]


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
            if not seen or seen[:3] != client or now - seen[3] >= SEEN_EVERY_SECONDS:
                UserSession.objects.create_from_request(request)
                session[SEEN_KEY] = [*client, now]
        return self.get_response(request)
