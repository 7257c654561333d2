from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from agreements.selectors import agreement_status
from jobs.selectors import quota_remaining_today
from portal.http import signed_in_user


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    return render(
        request,
        "portal/dashboard.html",
        {
            "cohort": user.cohort,
            "agreement": agreement_status(user=user),
            "quota_remaining": quota_remaining_today(user=user),
        },
    )


def healthz(request: HttpRequest) -> HttpResponse:
    """Liveness for load balancers: answers without touching the database."""
    return HttpResponse("ok", content_type="text/plain")
