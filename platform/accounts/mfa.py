"""Staff pass a second factor in every sign-in (decisions 0013 and 0020).

Reviewers and program admins must have an authenticator app, and each *session* of theirs
must have passed it: having an app on the account is not enough, because a session can be
made with a password alone (Django's admin sign-in did, before it was routed through
allauth). allauth keeps a record of every way this session proved who it is
(``get_authentication_records``); a staff session counts only with an ``mfa`` record in it.

A staff session without one is refused everything but the few pages that let it get one:
- with no app yet: the set-up page (and the password re-check it may ask for);
- with an app: the "enter your code" page (``mfa_reauthenticate``).
Page navigations are sent there; anything else (API calls, media, images, scripts, XHR)
gets a 403 and is never redirected, so a browser's favicon or prefetch request can't
restart the set-up behind the person's back. Signing out, static files and the favicon
stay open to everyone. Artists may turn two-factor on but are never sent to it.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseForbidden, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.permissions import is_staff_member
from accounts.services import user_has_mfa

MFA_REQUIRED_CODE = "mfa_required"
MFA_REQUIRED_DETAIL = (
    "Staff accounts need two-factor authentication. Set up an authenticator app at "
    "/accounts/2fa/totp/activate/, then try again."
)
MFA_SESSION_DETAIL = (
    "This staff session has not passed two-factor authentication. Enter your authenticator "
    "code at /accounts/2fa/reauthenticate/ (or sign in again), then try again."
)
FAVICON_PATH = "/favicon.ico"


def user_needs_mfa(user: object) -> bool:
    """Whether this person must have a second factor: anyone with staff powers
    (``accounts.permissions.is_staff_member``)."""
    return is_staff_member(user)


def session_passed_mfa(request: HttpRequest) -> bool:
    """Whether *this session* proved the second factor: at sign-in, on the "enter your
    code" page, or by enrolling an app with a code from it."""
    from allauth.account.authentication import get_authentication_records

    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return False
    return any(
        record.get("method") == "mfa" for record in get_authentication_records(request, user)
    )


def session_record_enrolment(*, request: HttpRequest, user: User) -> None:
    """Typing a valid code from the app being set up proves the factor for this session
    (it counts only once the app is saved: ``staff_session_lacks_mfa`` asks both)."""
    from allauth.account.internal.flows.login import record_authentication

    record_authentication(request, user, "mfa", type="totp", enrolled=True)


def staff_session_lacks_mfa(request: HttpRequest) -> bool:
    """The one question every staff door asks (pages, session API, media, admin)."""

    user = getattr(request, "user", None)
    return bool(
        user is not None
        and user.is_authenticated
        and user_needs_mfa(user)
        and not (session_passed_mfa(request) and user_has_mfa(user))
    )


def is_page_navigation(request: HttpRequest) -> bool:
    """A person's browser asking for a page (not an image, script, API call or XHR).
    Only these may be redirected to the two-factor pages."""
    if request.method not in ("GET", "HEAD") or request.path.startswith("/api/"):
        return False
    if request.headers.get("X-Requested-With") == "XMLHttpRequest":
        return False
    destination = request.headers.get("Sec-Fetch-Dest")
    if destination is not None:
        return destination == "document"
    accept = request.headers.get("Accept")
    return accept is None or "text/html" in accept or "*/*" in accept


def _open_paths(*, enrolled: bool) -> tuple[set[str], tuple[str, ...]]:
    exact = {reverse("account_logout"), FAVICON_PATH}
    if enrolled:
        exact |= {reverse("mfa_reauthenticate")}
    else:
        exact |= {
            reverse("mfa_index"),
            reverse("mfa_activate_totp"),
            reverse("account_reauthenticate"),
        }
    return exact, (settings.STATIC_URL,)


class StaffMfaMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if staff_session_lacks_mfa(request):
            enrolled = user_has_mfa(request.user)  # type: ignore[arg-type]
            exact, prefixes = _open_paths(enrolled=enrolled)
            if request.path not in exact and not request.path.startswith(prefixes):
                return _refuse(request, enrolled=enrolled)
        return self.get_response(request)


def _refuse(request: HttpRequest, *, enrolled: bool) -> HttpResponse:
    detail = MFA_SESSION_DETAIL if enrolled else MFA_REQUIRED_DETAIL
    if request.path.startswith("/api/"):
        return JsonResponse({"code": MFA_REQUIRED_CODE, "detail": detail}, status=403)
    if not is_page_navigation(request):
        return HttpResponseForbidden(detail, content_type="text/plain; charset=utf-8")
    if not enrolled:
        messages.warning(
            request,
            _(
                "Staff accounts need two-factor authentication. Set up an authenticator "
                "app to continue."
            ),
        )
        return redirect("mfa_activate_totp")
    messages.info(request, _("Enter the code from your authenticator app to continue."))
    query = urlencode({"next": request.get_full_path()})
    return redirect(f"{reverse('mfa_reauthenticate')}?{query}")
