"""Two-factor authentication is required for staff (decision 0013).

Until a reviewer or program admin has an authenticator app, every page sends them to set
one up and every API call answers ``403 {"code": "mfa_required"}``. Only signing out,
the two-factor pages themselves (and re-authentication, which they may ask for) and
static files stay open. Artists may turn it on but are never sent there.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse

from accounts.models import User
from accounts.roles import Role, role_of

STAFF_ROLES = (Role.REVIEWER, Role.PROGRAM_ADMIN)
MFA_REQUIRED_CODE = "mfa_required"
MFA_REQUIRED_DETAIL = (
    "Staff accounts need two-factor authentication. Set up an authenticator app at "
    "/accounts/2fa/totp/activate/, then try again."
)


def user_needs_mfa(user: object) -> bool:
    """Whether this person must have a second factor: anyone with staff powers."""
    if not isinstance(user, User) or not user.is_active:
        return False
    return user.is_staff or user.is_superuser or role_of(user) in STAFF_ROLES


@functools.cache
def _open_prefixes() -> tuple[str, ...]:
    return (
        reverse("account_logout"),
        reverse("mfa_index"),  # /accounts/2fa/: set up, recovery codes, authenticate
        reverse("account_reauthenticate"),
        settings.STATIC_URL,
    )


class StaffMfaMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from accounts.services import user_has_mfa

        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not request.path.startswith(_open_prefixes())
            and user_needs_mfa(user)
            and not user_has_mfa(user)
        ):
            if request.path.startswith("/api/"):
                return JsonResponse(
                    {"code": MFA_REQUIRED_CODE, "detail": MFA_REQUIRED_DETAIL}, status=403
                )
            messages.warning(
                request,
                "Staff accounts need two-factor authentication. Set up an authenticator "
                "app to continue.",
            )
            return redirect("mfa_activate_totp")
        return self.get_response(request)
