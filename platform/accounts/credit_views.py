"""The artist's public credit: how published videos name them (decision 0012)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from accounts.services import user_set_public_credit
from portal.http import signed_in_user


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
                f"Videos made from now on credit “{user.public_credit}”."
                if user.public_credit
                else "Videos made from now on carry no credit.",
            )
            return redirect("accounts:credit")
    return render(
        request,
        "accounts/credit.html",
        {"value": value, "errors": errors},
        status=400 if errors else 200,
    )
