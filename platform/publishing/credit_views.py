"""Program admins' page of public credits, at /staff/credits/: search them, refuse one."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.forms import RefusePublicCreditForm
from accounts.http import signed_in_user
from accounts.models import User
from accounts.permissions import RUN_PROGRAM
from accounts.selectors import NEUTRAL_BYLINE, public_credits_for_staff
from domain.errors import DomainError
from publishing.credits import user_refuse_public_credit
from web.http import error_text


@permission_required(RUN_PROGRAM, raise_exception=True)
def staff_credits(request: HttpRequest) -> HttpResponse:
    """Program admins: every public credit, and refusing one (impersonation, say)."""
    search = request.GET.get("q", "")
    if request.method == "POST":
        form = RefusePublicCreditForm(request.POST)
        form.is_valid()  # reads the fields; the service checks the reason
        target = get_object_or_404(User, pk=form.cleaned_data["user"])
        try:
            user_refuse_public_credit(
                actor=signed_in_user(request), user=target, reason=form.cleaned_data["reason"]
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
