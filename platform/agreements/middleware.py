"""The NDA gate for pages: until the current agreement is accepted, every portal page
redirects to it. The API has its own gate (api.permissions.AgreementAccepted), because
API clients authenticate inside DRF, after middleware has run."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from agreements.selectors import agreement_required

# Pages a gated person must still reach: signing in and out, the agreement itself, and
# what is not a portal page at all.
EXEMPT_PREFIXES = (
    "/accounts/",
    "/agreement/",
    "/invitations/",
    "/i18n/",
    "/static/",
    "/api/",
    "/admin/",
    "/healthz",
    "/readyz",
    "/metrics",
    "/gallery/",
    "/s/",
)


class AgreementGateMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            user.is_authenticated
            and not request.path.startswith(EXEMPT_PREFIXES)
            and agreement_required(user=user)
        ):
            target = reverse("agreements:current")
            if request.method == "GET":
                target += "?" + urlencode({"next": request.get_full_path()})
            return redirect(target)
        return self.get_response(request)
