"""Binds each request's client IP to the audit context while the request is handled."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from audit.context import audit_context


class AuditContextMiddleware:
    """Make ``REMOTE_ADDR`` the IP of every audit event recorded during the request.

    Only ``REMOTE_ADDR`` is trusted: a forwarded-for header is whatever the client says.
    Behind a proxy, the proxy (or a middleware that knows it) must set ``REMOTE_ADDR``.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # Reset afterwards (audit_context uses a token): a worker thread serves many
        # requests, and one request's IP must never be blamed for the next one's events.
        with audit_context(ip=request.META.get("REMOTE_ADDR")):
            return self.get_response(request)
