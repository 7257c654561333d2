from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.http import signed_in_user
from agreements.selectors import agreement_status
from jobs.selectors import quota_remaining_today
from portal.export import personal_data_archive


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
            "notifications": user.notifications.filter(read_at__isnull=True)[:10],
        },
    )


@login_required
def data_export(request: HttpRequest) -> HttpResponse:
    """Download everything we hold about you, as one archive."""
    user = signed_in_user(request)
    response = HttpResponse(personal_data_archive(user=user), content_type="application/zip")
    response["Content-Disposition"] = 'attachment; filename="vernissage-my-data.zip"'
    response["Cache-Control"] = "private, no-store"
    return response


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """``handler403``. Someone not signed in is asked to sign in (and comes back here);
    a signed-in person who may not see the page is told so. API clients get their JSON
    answer from DRF before this is reached."""
    user = getattr(request, "user", None)
    if (user is None or not user.is_authenticated) and request.method in ("GET", "HEAD"):
        return redirect_to_login(request.get_full_path())
    return render(request, "403.html", status=403)
