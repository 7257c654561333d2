"""When PostgreSQL is unreachable, say so: a clear 503 with Retry-After instead of a 500.

The API answers ``{"code": "service_unavailable", "detail": ...}`` (the API error format);
pages get a short plain page. Nothing was saved by a request that got this answer, so
clients may simply retry. Django opens a fresh connection on the next request once the
database is back (``CONN_HEALTH_CHECKS``, config/settings/database.py).
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from typing import Any

from django.core.signals import got_request_exception
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse

log = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 5
OUTAGE_ERRORS = (OperationalError, InterfaceError)
_MARK = "_database_outage"


def _is_outage(error: BaseException | None) -> bool:
    return isinstance(error, OUTAGE_ERRORS)


def outage_response(request: HttpRequest) -> HttpResponse:
    """The 503 for ``request``: JSON under /api/, a plain page elsewhere."""
    message = "The service is briefly unavailable. Nothing was saved; please try again shortly."
    response: HttpResponse
    if request.path.startswith("/api/"):
        response = JsonResponse({"code": "service_unavailable", "detail": message}, status=503)
    else:
        response = HttpResponse(
            "<!doctype html><title>Briefly unavailable</title>"
            f"<h1>Briefly unavailable</h1><p>{message}</p>",
            status=503,
            content_type="text/html; charset=utf-8",
        )
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


def _mark_outage(sender: object, request: HttpRequest | None = None, **_: Any) -> None:
    # Sent by Django while it turns an exception raised in any middleware or view into a
    # 500, inside the except block: the exception is the one being handled.
    if request is not None and _is_outage(sys.exc_info()[1]):
        setattr(request, _MARK, True)


got_request_exception.connect(_mark_outage, dispatch_uid="web.outage.mark")


class DatabaseOutageMiddleware:
    """Turns database connection failures into 503s. A view's exception arrives in
    ``process_exception``; one raised by an inner middleware (sessions, authentication,
    the agreement gate all read the database) has already become a 500 by the time it
    gets here, so the ``got_request_exception`` receiver marks the request and the 500 is
    replaced. Place it near the top of MIDDLEWARE."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code == 500 and getattr(request, _MARK, False):
            log.warning("database unavailable: answered 503 for %s", request.path)
            return outage_response(request)
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not _is_outage(exception):
            return None
        log.warning("database unavailable (%s): answered 503 for %s", exception, request.path)
        return outage_response(request)
