"""The invitation a visitor is signing up with, carried in their session between pages."""

from __future__ import annotations

from django.http import HttpRequest

SESSION_KEY = "vernissage_invitation_token"


def remember_token(request: HttpRequest, token: str) -> None:
    request.session[SESSION_KEY] = token


def remembered_token(request: HttpRequest) -> str | None:
    token = request.session.get(SESSION_KEY)
    return token if isinstance(token, str) else None


def forget_token(request: HttpRequest) -> None:
    request.session.pop(SESSION_KEY, None)
