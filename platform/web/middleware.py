"""Where a request really comes from, when a trusted reverse proxy stands in front."""

from __future__ import annotations

import contextlib
import ipaddress
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse


class TrustedProxyMiddleware:
    """Behind our own proxy (``VERNISSAGE_TRUSTED_PROXY=true``), REMOTE_ADDR is the proxy;
    the client is the last address in X-Forwarded-For, which the proxy sets. We take it
    only when the peer is one of ``TRUSTED_PROXY_ADDRESSES``: from anyone else the header
    is just something a client typed. Everything downstream (NDA evidence, audit log,
    rate limits, token last-use) then reads the client's address from REMOTE_ADDR.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if (
            settings.TRUSTED_PROXY
            and request.META.get("REMOTE_ADDR") in settings.TRUSTED_PROXY_ADDRESSES
        ):
            forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
            candidate = forwarded.split(",")[-1].strip() if forwarded else ""
            # No usable header: keep the proxy's address rather than guess.
            with contextlib.suppress(ValueError):
                request.META["REMOTE_ADDR"] = str(ipaddress.ip_address(candidate))
        return self.get_response(request)
