"""Small helpers for reading requests and answering them."""

from __future__ import annotations

import ipaddress

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.shortcuts import resolve_url
from django.utils.http import url_has_allowed_host_and_scheme

from domain.errors import DomainError


def client_ip(request: HttpRequest) -> str | None:
    """The peer address. Behind a proxy, the proxy must set REMOTE_ADDR (see deploy/)."""
    address = request.META.get("REMOTE_ADDR", "")
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return None


def safe_next_url(request: HttpRequest, *, default: str) -> str:
    """Where a ``next`` parameter (POST, else GET) asks to go, if that is a path on this
    site; otherwise ``default`` (a URL or URL name). Never another host or scheme: an
    open redirect would let a link that starts here end at a look-alike sign-in page."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate.startswith("/") and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return resolve_url(default)


def error_text(error: Exception) -> str:
    """One line for a flash message from a domain refusal or a validation error."""
    if isinstance(error, DomainError):
        return error.message
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return str(error)
