"""The program admins' announcement pages (/staff/announcements/, issue 18): every
announcement with how many have read it, a new draft, a draft's edit, publishing, and who
has and has not read a published one. Thin: ``announcements.services`` decides."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import pluralize
from django.views.decorators.http import require_POST

from accounts.http import signed_in_user
from accounts.permissions import RUN_PROGRAM
from announcements.forms import AnnouncementEditForm, AnnouncementForm
from announcements.models import Announcement
from announcements.selectors import announcement_readers, announcements_for_staff
from announcements.services import (
    announcement_create,
    announcement_publish,
    announcement_update,
)
from domain.errors import DomainError
from web.http import error_text
from web.refusals import refusal_to_form

PAGE_SIZE = 50


@permission_required(RUN_PROGRAM, raise_exception=True)
def announcement_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(announcements_for_staff(), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "announcements/staff_list.html", {"page": page})


@permission_required(RUN_PROGRAM, raise_exception=True)
def announcement_new(request: HttpRequest) -> HttpResponse:
    form = AnnouncementForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            announcement = announcement_create(actor=signed_in_user(request), **form.cleaned_data)
        except (DomainError, ValidationError) as error:
            refusal_to_form(form, error)
        else:
            messages.success(request, "Draft saved. Read it through, then publish it.")
            return redirect("staff_announcements:detail", announcement_id=announcement.pk)
    return _form_page(request, form, None)


@permission_required(RUN_PROGRAM, raise_exception=True)
def announcement_edit(request: HttpRequest, announcement_id: int) -> HttpResponse:
    announcement = get_object_or_404(Announcement, pk=announcement_id)
    if announcement.published_at is not None:
        messages.error(request, "A published announcement can't be changed; write a new one.")
        return redirect("staff_announcements:detail", announcement_id=announcement.pk)
    initial = {"title": announcement.title, "body": announcement.body}
    form = AnnouncementEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            announcement_update(
                actor=signed_in_user(request), announcement=announcement, **form.cleaned_data
            )
        except (DomainError, ValidationError) as error:
            refusal_to_form(form, error)
        else:
            messages.success(request, "Draft saved.")
            return redirect("staff_announcements:detail", announcement_id=announcement.pk)
    return _form_page(request, form, announcement)


def _form_page(
    request: HttpRequest, form: AnnouncementForm, announcement: Announcement | None
) -> HttpResponse:
    return render(
        request,
        "announcements/staff_form.html",
        {"form": form, "announcement": announcement},
        status=400 if form.is_bound and form.errors else 200,
    )


@permission_required(RUN_PROGRAM, raise_exception=True)
def announcement_detail(request: HttpRequest, announcement_id: int) -> HttpResponse:
    announcement = get_object_or_404(
        Announcement.objects.select_related("cohort", "created_by"), pk=announcement_id
    )
    read, unread = announcement_readers(announcement=announcement)
    return render(
        request,
        "announcements/staff_detail.html",
        {
            "announcement": announcement,
            "read": read,
            "unread": unread,
            "members": len(read) + len(unread),
        },
    )


@permission_required(RUN_PROGRAM, raise_exception=True)
@require_POST
def announcement_publish_view(request: HttpRequest, announcement_id: int) -> HttpResponse:
    announcement = get_object_or_404(Announcement, pk=announcement_id)
    try:
        published = announcement_publish(actor=signed_in_user(request), announcement=announcement)
    except DomainError as error:
        messages.error(request, error_text(error))
    else:
        # The emails went out when the publishing transaction committed (above).
        published.refresh_from_db(fields=["emailed_count"])
        messages.success(
            request,
            f"Published to {published.cohort.name}; {published.emailed_count} "
            f"email{pluralize(published.emailed_count)} sent.",
        )
    return redirect("staff_announcements:detail", announcement_id=announcement.pk)
