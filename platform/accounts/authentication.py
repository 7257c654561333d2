"""API authentication with personal tokens: ``Authorization: Bearer vrn_…``."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from accounts.api_tokens import token_hash, token_well_formed
from accounts.mfa import MFA_REQUIRED_CODE, MFA_REQUIRED_DETAIL, user_needs_mfa
from accounts.models import ApiToken, User
from accounts.scopes import token_scopes_for, view_token_scopes
from accounts.services import user_has_mfa
from web.http import client_ip

# Writing last-use on every request would turn reads into writes; once a minute is enough
# to tell an operator "used from where, and when".
LAST_USED_RESOLUTION = timedelta(minutes=1)


class ApiTokenAuthentication(BaseAuthentication):
    keyword = b"bearer"

    def authenticate(self, request: Request) -> tuple[User, ApiToken] | None:
        header = get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword:
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed("Send exactly: Authorization: Bearer <token>.")
        raw = header[1].decode("ascii", errors="replace")
        if not token_well_formed(raw):
            raise exceptions.AuthenticationFailed(
                "That is not a Vernissage token (bad format or checksum)."
            )
        token = ApiToken.objects.select_related("user").filter(token_hash=token_hash(raw)).first()
        if token is None or token.revoked_at is not None:
            raise exceptions.AuthenticationFailed(_("This token was revoked or never existed."))
        if token.expires_at <= timezone.now():
            raise exceptions.AuthenticationFailed(_("This token has expired; create a new one."))
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("This account is disabled."))
        if user_needs_mfa(token.user) and not user_has_mfa(token.user):
            # A staff token outlives the MFA it was issued under only while MFA stays on.
            raise exceptions.PermissionDenied(MFA_REQUIRED_DETAIL, code=MFA_REQUIRED_CODE)
        now = timezone.now()
        ip = client_ip(request)
        if (
            token.last_used_at is None
            or now - token.last_used_at > LAST_USED_RESOLUTION
            or token.last_used_ip != ip
        ):
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now, last_used_ip=ip)
        return token.user, token

    def authenticate_header(self, request: Request) -> str:
        return 'Bearer realm="api"'


class TokenScopeDenied(exceptions.PermissionDenied):
    default_code = "token_scope"


class TokenScopeAllows(BasePermission):
    """A token reaches only the operations its scope is named for (``accounts.scopes``),
    and only while its holder may hold that scope: an artist scope held by staff, or a
    staff scope held by an artist, reaches nothing. Sessions are not limited here."""

    def has_permission(self, request: Request, view: Any) -> bool:
        token = request.auth
        if not isinstance(token, ApiToken):
            return True
        if token.scope not in token_scopes_for(token.user):
            raise TokenScopeDenied(
                _(
                    "A %(scope)s token no longer fits this account's role; "
                    "create a new token at /account/tokens/."
                )
                % {"scope": token.scope}
            )
        if token.scope not in view_token_scopes(view, request.method or ""):
            raise TokenScopeDenied(
                _(
                    "This token's scope (%(scope)s) does not allow this request "
                    "(see docs/api-tokens.md)."
                )
                % {"scope": token.scope}
            )
        return True
