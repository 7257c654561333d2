"""Which language the portal speaks to whom (decision 0025).

Signed out: the language switcher's cookie, else the browser's ``Accept-Language``
(Django's ``LocaleMiddleware``), else English. Signed in: the language stored on the
account wins (``UserLanguageMiddleware``); the switcher stores it, and the first sign-in
of an account without one stores the language it signed in with. Emails to a person go
out in ``language_for(person)``, whatever the language of the request that sent them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import translation
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language

from accounts.http import signed_in_user
from accounts.models import User
from accounts.services import user_set_language
from web.http import safe_next_url


def portal_language(code: str | None) -> str | None:
    """``code`` if the portal speaks it, else None."""
    return code if code in dict(settings.LANGUAGES) else None


def language_for(user: User | None) -> str:
    """The language to write to ``user`` in (emails, notifications)."""
    stored = portal_language(getattr(user, "language", None))
    return stored or settings.LANGUAGE_CODE


class UserLanguageMiddleware:
    """After authentication: a signed-in person's stored language wins over the cookie
    and the browser. (Bearer-token API calls authenticate inside DRF, later: they get
    their ``Accept-Language``.)"""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            stored = portal_language(user.language)
            if stored and stored != translation.get_language():
                translation.activate(stored)
                request.LANGUAGE_CODE = stored
        return self.get_response(request)


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Django's ``set_language`` (the cookie, then back to ``next``), and for a signed-in
    person the account's language too, so that it follows them and their emails."""
    chosen = portal_language(request.POST.get("language"))
    if chosen is None:  # Django's view would set any language it has a catalogue for
        return redirect(safe_next_url(request, default="portal:dashboard"))
    response = django_set_language(request)
    if request.user.is_authenticated:
        user_set_language(user=signed_in_user(request), language=chosen)
    return response


@receiver(user_logged_in, dispatch_uid="accounts.language.first_sign_in")
def _store_language_on_sign_in(
    sender: Any, request: HttpRequest | None, user: User, **_: Any
) -> None:
    """An account without a language keeps the one it first signed in (or up) with; one
    with a language gets it from this response on (allauth's "signed in" message)."""
    if request is None:
        return
    stored = portal_language(user.language)
    if stored:
        translation.activate(stored)
        request.LANGUAGE_CODE = stored
        return
    current = portal_language(getattr(request, "LANGUAGE_CODE", None))
    if current:
        user_set_language(user=user, language=current)
