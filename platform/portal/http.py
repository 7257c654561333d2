"""Small helpers for reading requests."""

from __future__ import annotations

import ipaddress

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
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
        raise PermissionDenied("Sign in first.")
    return user


def error_text(error: Exception) -> str:
    """One line for a flash message from a domain refusal or a validation error."""
    from django.core.exceptions import ValidationError

    from domain.errors import DomainError

    if isinstance(error, DomainError):
        return error.message
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return str(error)
