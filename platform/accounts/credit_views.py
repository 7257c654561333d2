"""The artist's public credit: how public pages and published videos name them (decision
0012); and the program admins' page for refusing one."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from accounts.forms import PublicCreditForm
from accounts.http import signed_in_user
from accounts.selectors import (
    NEUTRAL_BYLINE,
    user_public_byline_shown,
)
from accounts.services import user_set_public_credit
from web.refusals import errors_by_field, refusal_to_form, typed_values


@login_required
def credit(request: HttpRequest) -> HttpResponse:
    """Show and change the signed-in person's own credit (there is no way to name another
    account here: the page only ever edits ``request.user``)."""
    user = signed_in_user(request)
    form = PublicCreditForm(initial={"public_credit": user.public_credit})
    if request.method == "POST":
        form = PublicCreditForm(request.POST)
        form.is_valid()  # reads the field; the service checks it
        try:
            user_set_public_credit(user=user, credit=form.cleaned_data["public_credit"])
        except ValidationError as error:
            refusal_to_form(form, error)
        else:
            messages.success(
                request,
                _("You are credited as “%(credit)s”.") % {"credit": user.public_credit}
                if user.public_credit
                else _("You are shown as “%(byline)s”; videos made from now on carry no credit.")
                % {"byline": _(NEUTRAL_BYLINE)},
            )
            return redirect("accounts:credit")
    errors = errors_by_field(form)
    return render(
        request,
        "accounts/credit.html",
        {
            "value": typed_values(form)["public_credit"],
            "errors": errors,
            "byline": user_public_byline_shown(user=user),
            "neutral_byline": _(NEUTRAL_BYLINE),
            "refusal": user.public_credit_refusal if user.public_credit_refused_at else "",
            "refused_credit": user.public_credit if user.public_credit_refused_at else "",
        },
        status=400 if errors else 200,
    )
