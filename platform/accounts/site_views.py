"""Doors that must not bypass our sign-in: Django admin's own sign-in and password change
are sent to allauth's (limits, second factor), and the favicon every browser asks for.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlencode

from django.conf import settings
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.views.decorators.cache import cache_control

from web.http import safe_next_url

FAVICON = Path(settings.BASE_DIR) / "static" / "favicon.ico"


def admin_login(request: HttpRequest) -> HttpResponse:
    """``/admin/login/`` is allauth's sign-in (password limits, then the second factor);
    Django's own form would make a staff session from a password alone."""
    target = safe_next_url(request, default="admin:index")
    return HttpResponseRedirect(f"{reverse('account_login')}?{urlencode({'next': target})}")


def admin_password_change(request: HttpRequest) -> HttpResponse:
    """The admin's password form skips the sign-in limits; ours counts every guess."""
    return HttpResponseRedirect(reverse("account_change_password"))


@cache_control(public=True, max_age=86400)
def favicon(request: HttpRequest) -> FileResponse:
    return FileResponse(FAVICON.open("rb"), content_type="image/x-icon")
