"""The artist's announcements: their cohort's published ones, newest first. Each page
shows only the signed-in person's cohort; there is no way to name another here."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.http import signed_in_user
from announcements.selectors import announcement_of, announcements_of
from announcements.services import announcement_mark_read

PAGE_SIZE = 30

# What browsers send with a speculative load (link prefetch, prerender, Firefox's
# X-Moz): nobody has seen the page yet, so it must not count as read.
_PREFETCH_HEADERS = ("Sec-Purpose", "Purpose", "X-Purpose", "X-Moz")


def is_prefetch(request: HttpRequest) -> bool:
    return any(
        word in request.headers.get(name, "").lower()
        for name in _PREFETCH_HEADERS
        for word in ("prefetch", "prerender", "preview")
    )


@login_required
def announcement_list(request: HttpRequest) -> HttpResponse:
    """Your cohort's announcements, newest first, unread ones marked. Reading the list
    marks nothing read; opening one does."""
    user = signed_in_user(request)
    page = Paginator(announcements_of(user=user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "announcements/list.html", {"page": page})


@login_required
def announcement_detail(request: HttpRequest, announcement_id: int) -> HttpResponse:
    """One announcement to your cohort (another cohort's, or a draft: 404). Showing it
    marks it read (decision 0037): once, idempotent, and not for a prefetch."""
    user = signed_in_user(request)
    announcement = announcement_of(user=user, announcement_id=announcement_id)
    if not is_prefetch(request):
        announcement_mark_read(user=user, announcement=announcement)
    response = render(request, "announcements/detail.html", {"announcement": announcement})
    # A cached copy shown again would not reach the server: always ask.
    response["Cache-Control"] = "no-store"
    return response
