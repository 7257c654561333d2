"""allauth adapter: sign-up is open only to a visitor holding a usable invitation."""

from __future__ import annotations

from allauth.core.exceptions import ImmediateHttpResponse
from django.http import HttpRequest

from accounts.adapter import AccountAdapter
from invitations.errors import InvitationError
from invitations.services import invitation_for_token
from invitations.session import forget_token, remembered_token
from invitations.views import render_invitation_error


class InvitationOnlyAccountAdapter(AccountAdapter):
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        token = remembered_token(request)
        if token is None:
            return False  # allauth shows account/signup_closed.html
        try:
            invitation_for_token(token=token)
        except InvitationError as error:
            # The invitation changed since the visitor opened the link (revoked, used,
            # expired): say exactly what happened.
            forget_token(request)
            raise ImmediateHttpResponse(render_invitation_error(request, error)) from None
        return True
