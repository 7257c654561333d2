"""The kill-switch page for program admins: global, per cohort, per account."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from accounts.http import signed_in_user
from accounts.models import User
from cohorts.models import Cohort
from cohorts.services import cohort_set_paused
from containment.switches import (
    account_restore,
    account_suspend,
    cohort_stop_running,
    generation_pause_all,
    global_switch,
)
from domain.errors import DomainError

ADMIN = "accounts.run_program"


@permission_required(ADMIN, raise_exception=True)
def switches(request: HttpRequest) -> HttpResponse:
    admin = signed_in_user(request)
    if request.method == "POST":
        action = request.POST.get("action", "")
        reason = request.POST.get("reason", "")
        stop = request.POST.get("stop_running") == "on"
        try:
            if action in ("pause_all", "resume_all"):
                generation_pause_all(
                    admin=admin, paused=action == "pause_all", reason=reason, stop_running=stop
                )
            elif action in ("pause_cohort", "resume_cohort"):
                cohort = Cohort.objects.get(pk=int(request.POST.get("cohort", "0")))
                cohort_set_paused(
                    actor=admin, cohort=cohort, paused=action == "pause_cohort", reason=reason
                )
                if action == "pause_cohort" and stop:
                    cohort_stop_running(admin=admin, cohort=cohort)
            elif action in ("suspend", "restore"):
                user = User.objects.get(email__iexact=request.POST.get("email", "").strip())
                if action == "suspend":
                    account_suspend(admin=admin, user=user, reason=reason, stop_running=stop)
                else:
                    account_restore(admin=admin, user=user)
            else:
                raise ValidationError("Unknown action.")
        except (Cohort.DoesNotExist, User.DoesNotExist, ValueError):
            messages.error(request, "No such cohort or account.")
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        except DomainError as error:
            messages.error(request, error.message)
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
