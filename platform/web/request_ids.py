"""Every request gets an id: from a sane ``X-Request-ID``, or a new one (decision 0015)."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from web.context import log_context, request_id_accept

log = logging.getLogger("observability.requests")

# Probes and scrapes come every few seconds; a line for each would bury everything else.
_QUIET_PATHS = frozenset({"/healthz", "/readyz", "/metrics"})


class RequestIdMiddleware:
    """First in the stack, so every log line of the request carries the id. The id is
    echoed in the ``X-Request-ID`` response header, kept on ``request.request_id``, and
    one access line per request (method, path, status, milliseconds) is logged."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = request_id_accept(request.headers.get("X-Request-ID"))
        request.request_id = request_id  # type: ignore[attr-defined]
        started = time.perf_counter()
        with log_context(request_id=request_id):
            response = self.get_response(request)
            if settings.OBSERVABILITY_ACCESS_LOG and request.path not in _QUIET_PATHS:
                log.info(
                    "%s %s %s %.1fms",
                    request.method,
                    request.path,
                    response.status_code,
                    (time.perf_counter() - started) * 1000,
                )
        response["X-Request-ID"] = request_id
        return response
