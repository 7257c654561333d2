"""The artist's public credit: how public pages and published videos name them (decision
0012); and the program admins' page for refusing one."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.http import signed_in_user
from accounts.models import User
from accounts.selectors import (
    NEUTRAL_BYLINE,
    public_credits_for_staff,
    user_public_byline_shown,
)
from accounts.services import user_refuse_public_credit, user_set_public_credit
from domain.errors import DomainError
from web.http import error_text


@login_required
def credit(request: HttpRequest) -> HttpResponse:
    """Show and change the signed-in person's own credit (there is no way to name another
    account here: the page only ever edits ``request.user``)."""
    user = signed_in_user(request)
    errors: dict[str, str] = {}
    value = user.public_credit
    if request.method == "POST":
        value = request.POST.get("public_credit", "")
        try:
            user_set_public_credit(user=user, credit=value)
        except ValidationError as error:
            errors = {field: " ".join(texts) for field, texts in error.message_dict.items()}
        else:
            messages.success(
                request,
                _("You are credited as “%(credit)s”.") % {"credit": user.public_credit}
                if user.public_credit
                else _("You are shown as “%(byline)s”; videos made from now on carry no credit.")
                % {"byline": _(NEUTRAL_BYLINE)},
            )
            return redirect("accounts:credit")
    return render(
        request,
        "accounts/credit.html",
        {
            "value": value,
            "errors": errors,
            "byline": user_public_byline_shown(user=user),
            "neutral_byline": _(NEUTRAL_BYLINE),
            "refusal": user.public_credit_refusal if user.public_credit_refused_at else "",
            "refused_credit": user.public_credit if user.public_credit_refused_at else "",
        },
        status=400 if errors else 200,
    )


@permission_required("accounts.run_program", raise_exception=True)
def staff_credits(request: HttpRequest) -> HttpResponse:
    """Program admins: every public credit, and refusing one (impersonation, say)."""
    search = request.GET.get("q", "")
    if request.method == "POST":
        pk = request.POST.get("user", "")
        target = get_object_or_404(User, pk=int(pk) if pk.isascii() and pk.isdigit() else 0)
        try:
            user_refuse_public_credit(
                actor=signed_in_user(request), user=target, reason=request.POST.get("reason", "")
            )
        except (DomainError, ValidationError) as error:
            messages.error(request, error_text(error))
        else:
            messages.success(
                request,
                _("Refused; %(email)s has been told why and is shown as “%(byline)s”.")
                % {"email": target.email, "byline": NEUTRAL_BYLINE},
            )
        return redirect(f"{reverse('staff_credits:list')}?{urlencode({'q': search})}")
    return render(
        request,
        "accounts/staff_credits.html",
        {
            "accounts": public_credits_for_staff(search=search)[:200],
            "q": search,
            "neutral_byline": NEUTRAL_BYLINE,
        },
    )
