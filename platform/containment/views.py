"""The kill-switch page for program admins: global, per cohort, per account."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from accounts.http import signed_in_user
from accounts.models import User
from accounts.permissions import RUN_PROGRAM
from cohorts.models import Cohort
from cohorts.services import cohort_set_paused
from containment.forms import ACCOUNT_ACTIONS, COHORT_ACTIONS, SwitchForm
from containment.switches import (
    account_restore,
    account_suspend,
    cohort_stop_running,
    generation_pause_all,
    global_switch,
)
from domain.errors import DomainError
from web.http import error_text


@permission_required(RUN_PROGRAM, raise_exception=True)
def switches(request: HttpRequest) -> HttpResponse:
    admin = signed_in_user(request)
    if request.method == "POST":
        form = SwitchForm(request.POST)
        if not form.is_valid():
            messages.error(request, " ".join(str(m) for m in form.non_field_errors()))
            return redirect("switches")
        sent = form.cleaned_data
        action, reason, stop = sent["action"], sent["reason"], sent["stop_running"]
        try:
            if action in ("pause_all", "resume_all"):
                generation_pause_all(
                    admin=admin, paused=action == "pause_all", reason=reason, stop_running=stop
                )
            elif action in COHORT_ACTIONS:
                cohort = sent["cohort"]
                cohort_set_paused(
                    actor=admin, cohort=cohort, paused=action == "pause_cohort", reason=reason
                )
                if action == "pause_cohort" and stop:
                    cohort_stop_running(admin=admin, cohort=cohort)
            elif action in ACCOUNT_ACTIONS:
                user = sent["email"]
                if action == "suspend":
                    account_suspend(admin=admin, user=user, reason=reason, stop_running=stop)
                else:
                    account_restore(admin=admin, user=user)
            else:
                raise ValidationError("Unknown action.")
        except (DomainError, ValidationError) as error:
            messages.error(request, error_text(error))
        else:
            messages.success(request, "Done. It took effect immediately.")
        return redirect("switches")
    return render(
        request,
        "containment/switches.html",
        {
            "switch": global_switch(),
            "cohorts": Cohort.objects.order_by("name"),
            "paused_accounts": User.objects.filter(is_paused=True).order_by("email"),
        },
    )
