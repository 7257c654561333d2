"""Watch every signed-in request (pages and API) for signs of a shared account."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import cast

from django.http import HttpRequest, HttpResponse

from accounts.models import User
from containment.services import activity_observe
from web.http import client_ip

log = logging.getLogger(__name__)


class ActivityWatchMiddleware:
    """Runs after the view, because API token authentication happens inside DRF and only
    then is ``request.user`` the token's owner. A failure here (Redis down) is logged and
    never turns a good response into an error."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return response
        try:
            activity_observe(
                user=cast(User, user),
                ip=client_ip(request),
                user_agent=request.META.get("HTTP_USER_AGENT", "")[:500],
            )
        except Exception:
            log.exception("activity watch failed for user %s", getattr(user, "pk", None))
        return response
