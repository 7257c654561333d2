"""The allauth adapter: invitation-only sign-up, plus our client-IP and sign-in limits."""

from __future__ import annotations

import time
from typing import Any

from allauth.account import app_settings as account_settings
from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.authentication import get_authentication_records
from allauth.core import context
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from invitations.adapter import InvitationOnlyAccountAdapter
from portal.http import client_ip


class AccountAdapter(InvitationOnlyAccountAdapter):
    def __init__(self, request: HttpRequest | None = None) -> None:
        super().__init__(request)
        minutes = max(1, round(settings.LOGIN_FAILURE_WINDOW_SECONDS / 60))
        self.error_messages: dict[str, Any] = {
            **DefaultAccountAdapter.error_messages,
            "too_many_login_attempts": (
                "Too many failed sign-in attempts from your network for this account. "
                f"Sign-in is paused for up to {minutes} minutes; try again then, or reset "
                "your password."
            ),
        }

    def get_client_ip(self, request: HttpRequest) -> str:
        """One answer everywhere: REMOTE_ADDR, which TrustedProxyMiddleware has already
        corrected behind our own proxy. Never a header a client could type."""
        ip = client_ip(request)
        if ip is None:
            raise PermissionDenied("Unable to determine the client address.")
        return ip

    def _get_login_attempts_cache_key(self, request: HttpRequest, **credentials: Any) -> str:
        # allauth keys its per-"key" failure limit on the address alone, so anyone could
        # lock an artist out by typing wrong passwords for her. Keyed on (address, IP), a
        # stranger locks out only themselves; the per-IP limit stops one address from
        # trying many accounts. (tests/accounts/test_login_limits.py pins this down.)
        address = super()._get_login_attempts_cache_key(request, **credentials)
        return f"{address}@{self.get_client_ip(request)}"

    def is_reauthentication_required(self, *, app: str, **kwargs: Any) -> bool:
        # allauth counts only an explicit re-authentication, so staff sent to set up
        # two-factor right after signing in would type their password twice. A password
        # (or code) typed into this session within the same timeout proves just as much.
        if not super().is_reauthentication_required(app=app, **kwargs):
            return False
        request = context.request
        if request is None or not request.user.is_authenticated:
            return True
        recent = time.time() - account_settings.REAUTHENTICATION_TIMEOUT
        records = get_authentication_records(request, request.user)
        return not any(record.get("at", 0) > recent for record in records)
