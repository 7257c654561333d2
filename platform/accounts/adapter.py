"""The allauth adapter: invitation-only sign-up, plus our client-IP and sign-in limits."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from allauth.account import app_settings as account_settings
from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.authentication import get_authentication_records
from allauth.core import context
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils import translation
from django.utils.translation import gettext as _

from accounts.language import portal_language
from accounts.models import User
from web.http import client_ip


@dataclass(frozen=True)
class MailSite:
    """What allauth's mail templates read from ``current_site``."""

    domain: str
    name: str


def site_from_settings() -> MailSite:
    host = urlsplit(settings.SITE_URL).netloc
    return MailSite(domain=host, name=host)


def on_site(url: str) -> str:
    """``url`` (absolute, or a path) moved onto ``SITE_URL``: same path, query, fragment."""
    parts = urlsplit(url)
    return settings.SITE_URL + urlunsplit(("", "", parts.path, parts.query, parts.fragment))


class AccountAdapter(DefaultAccountAdapter):
    def __init__(self, request: HttpRequest | None = None) -> None:
        super().__init__(request)
        minutes = max(1, round(settings.LOGIN_FAILURE_WINDOW_SECONDS / 60))
        self.error_messages: dict[str, Any] = {
            **DefaultAccountAdapter.error_messages,
            "too_many_login_attempts": _(
                "Too many failed sign-in attempts from your network for this account. "
                "Sign-in is paused for up to %(minutes)s minutes; try again then, or reset "
                "your password."
            )
            % {"minutes": minutes},
        }

    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        """Every allauth mail (password reset, address confirmation, "account exists",
        notifications) links to ``SITE_URL`` and names its host, never the ``Host`` header
        of the request that caused it: any port or alias of an allowed host reaches us,
        and a reset link must not point anywhere but the site."""
        site = site_from_settings()
        context = {**context, "current_site": site}
        for key, value in context.items():
            if key.endswith("_url") and isinstance(value, str):
                context[key] = on_site(value)
        # In the account's language where the address has one; else the request's.

        account = User.objects.filter(email__iexact=email).only("language").first()
        language = portal_language(account.language if account else None)
        with translation.override(language or translation.get_language()):
            super().send_mail(template_prefix, email, context)

    def get_client_ip(self, request: HttpRequest) -> str:
        """One answer everywhere: REMOTE_ADDR, which TrustedProxyMiddleware has already
        corrected behind our own proxy. Never a header a client could type."""
        ip = client_ip(request)
        if ip is None:
            raise PermissionDenied(_("Unable to determine the client address."))
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

    def respond_user_inactive(self, request: HttpRequest, user: Any) -> HttpResponse:
        # Reached only after the right password: a suspended person learns why, and whom
        # to ask; a stranger guessing passwords learns nothing (decision 0021).
        return TemplateResponse(
            request,
            "account/suspended.html",
            {"reason": getattr(user, "paused_reason", ""), "contact": settings.CONTACT_EMAIL},
            status=403,
        )
