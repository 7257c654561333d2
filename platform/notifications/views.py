"""The portal's notification pages. Each shows and changes only the signed-in person's
own notifications and choices: there is no way to name another account here."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from accounts.http import signed_in_user
from notifications.forms import NotificationPreferenceForm
from notifications.selectors import notification_preferences_of, notifications_of
from notifications.services import (
    notification_mark_read,
    notification_preferences_set,
    notifications_mark_read,
)
from web.http import safe_next_url
from web.refusals import refusal_to_form

PAGE_SIZE = 50


@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    """Your notifications, newest first, unread ones marked. Reading the page changes
    nothing; "Mark as read" buttons do."""
    user = signed_in_user(request)
    page = Paginator(notifications_of(user=user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "notifications/list.html", {"page": page})


@login_required
@require_POST
def notification_read(request: HttpRequest, pk: int) -> HttpResponse:
    notification_mark_read(user=signed_in_user(request), notification_id=pk)
    return redirect(safe_next_url(request, default="notifications:list"))


@login_required
@require_POST
def notifications_read(request: HttpRequest) -> HttpResponse:
    """Mark all of the signed-in person's notifications read (the dashboard's and
    /notifications/' "Mark all as read")."""
    notifications_mark_read(user=signed_in_user(request))
    # Back where the button was (the dashboard, or /notifications/): a path on this site.
    return redirect(safe_next_url(request, default="portal:dashboard"))


@login_required
def preferences(request: HttpRequest) -> HttpResponse:
    """Which notifications also come by email."""
    user = signed_in_user(request)
    current = notification_preferences_of(user=user)
    if request.method == "POST":
        form = NotificationPreferenceForm(request.POST)
        if form.is_valid():
            try:
                notification_preferences_set(user=user, **form.cleaned_data)
            except ValidationError as error:
                refusal_to_form(form, error)
            else:
                messages.success(request, gettext("Your notification settings are saved."))
                return redirect("notifications:preferences")
    else:
        form = NotificationPreferenceForm(
            initial={
                "email_on_video_ready": current.email_on_video_ready,
                "email_on_review_decision": current.email_on_review_decision,
            }
        )
    return render(
        request,
        "notifications/preferences.html",
        {"form": form},
        status=400 if form.is_bound and form.errors else 200,
    )
