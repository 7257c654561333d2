"""Small helpers for reading requests."""

from __future__ import annotations

import ipaddress

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.shortcuts import resolve_url
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from rest_framework.request import Request

from accounts.models import User


def client_ip(request: HttpRequest) -> str | None:
    """The peer address. Behind a proxy, the proxy must set REMOTE_ADDR (see deploy/)."""
    address = request.META.get("REMOTE_ADDR", "")
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return None


def signed_in_user(request: HttpRequest | Request) -> User:
    """The signed-in user of a view that only runs for signed-in users."""
    user = request.user
    if not isinstance(user, User):
        raise PermissionDenied(_("Sign in first."))
    return user


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
    from django.core.exceptions import ValidationError

    from domain.errors import DomainError

    if isinstance(error, DomainError):
        return error.message
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return str(error)
