"""The signed-in person's own settings: personal API tokens, ending one session.

Two-factor authentication and the session list are allauth's pages (/accounts/2fa/,
/accounts/sessions/) in our templates."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.forms import ApiTokenForm
from accounts.http import signed_in_user
from accounts.models import ApiToken, TokenScope
from accounts.scopes import token_scopes_for
from accounts.services import api_token_create, api_token_revoke, user_session_end
from domain.errors import DomainError
from web.http import error_text
from web.refusals import errors_by_field, refusal_to_form, typed_values


@login_required
def tokens(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    allowed_scopes = token_scopes_for(user)
    issued = None
    form = ApiTokenForm()
    if request.method == "POST":
        form = ApiTokenForm(request.POST)
        form.is_valid()  # reads the fields; the service checks them
        try:
            issued = api_token_create(user=user, **form.cleaned_data)
        except (DomainError, ValidationError) as error:
            refusal_to_form(form, error)
    errors = errors_by_field(form)
    return render(
        request,
        "accounts/tokens.html",
        {
            "tokens": ApiToken.objects.filter(user=user),
            "issued": issued,
            "errors": errors,
            # Only the scopes this person may hold (accounts.scopes).
            "scopes": [(v, label) for v, label in TokenScope.choices if v in allowed_scopes],
            "values": typed_values(form),
        },
        status=400 if errors else 200,
    )


@login_required
@require_POST
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    token = ApiToken.objects.filter(pk=pk, user=user).first()
    if token is None:
        raise Http404
    try:
        api_token_revoke(actor=user, token=token)
    except DomainError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, _("Revoked %(display)s.") % {"display": token.display})
    return redirect("accounts:tokens")


@login_required
@require_POST
def session_end(request: HttpRequest, pk: int) -> HttpResponse:
    """Sign out one other device from the session list."""
    try:
        user_session_end(
            user=signed_in_user(request),
            session_id=pk,
            current_session_key=request.session.session_key,
        )
    except DomainError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, _("That session has ended: the device is signed out."))
    return redirect("usersessions_list")
