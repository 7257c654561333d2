"""The program admins' invitation page (/staff/invitations/): who is invited, who never
signed up; invite one address or a CSV file of them; resend or revoke a pending one."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.http import signed_in_user
from accounts.permissions import RUN_PROGRAM
from domain.errors import DomainError
from invitations.models import Invitation
from invitations.selectors import invitation_list, invitation_wave_summaries
from invitations.services import (
    invitation_create,
    invitation_create_batch,
    invitation_resend,
    invitation_revoke,
)
from invitations.staff_forms import InvitationFilterForm, InviteOneForm, InviteUploadForm
from web.http import error_text
from web.refusals import refusal_to_form

PAGE_SIZE = 50


def _page(request: HttpRequest, **forms: Any) -> HttpResponse:
    filters = InvitationFilterForm(request.GET)
    valid = filters.is_valid()
    state = filters.cleaned_data["state"] if valid else ""
    wave = filters.cleaned_data["wave"] if valid else None
    page = Paginator(invitation_list(state=state, wave=wave), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    context = {
        "page": page,
        "state": state,
        "wave": wave,
        "waves": invitation_wave_summaries(),
        "filter_form": filters,
        "invite_form": forms.get("invite_form") or InviteOneForm(),
        "upload_form": forms.get("upload_form") or InviteUploadForm(),
        "results": forms.get("results"),
    }
    refused = any(form.errors for form in forms.values() if hasattr(form, "errors"))
    return render(request, "invitations/staff.html", context, status=400 if refused else 200)


@permission_required(RUN_PROGRAM, raise_exception=True)
def staff_invitations(request: HttpRequest) -> HttpResponse:
    return _page(request)


@permission_required(RUN_PROGRAM, raise_exception=True)
@require_POST
def staff_invite_one(request: HttpRequest) -> HttpResponse:
    form = InviteOneForm(request.POST)
    if form.is_valid():
        try:
            issued = invitation_create(
                inviter=signed_in_user(request),
                email=form.cleaned_data["email"],
                cohort=form.cleaned_data["cohort"],
                wave=form.cleaned_data["wave"],
                new_wave=form.cleaned_data["new_wave"],
            )
        except ValidationError as error:
            refusal_to_form(form, error, field="email")
        else:
            messages.success(request, _("Invited %(email)s.") % {"email": issued.invitation.email})
            return redirect("staff_invitations:list")
    return _page(request, invite_form=form)


@permission_required(RUN_PROGRAM, raise_exception=True)
@require_POST
def staff_invite_upload(request: HttpRequest) -> HttpResponse:
    form = InviteUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _page(request, upload_form=form)
    try:
        results = invitation_create_batch(
            inviter=signed_in_user(request),
            rows=form.cleaned_data["file"],
            default_cohort=form.cleaned_data["cohort"],
            wave=form.cleaned_data["wave"],
            new_wave=form.cleaned_data["new_wave"],
        )
    except ValidationError as error:
        refusal_to_form(form, error, field="new_wave")
        return _page(request, upload_form=form)
    return _page(request, results=results)


@permission_required(RUN_PROGRAM, raise_exception=True)
@require_POST
def staff_invitation_revoke(request: HttpRequest, invitation_id: int) -> HttpResponse:
    invitation = get_object_or_404(Invitation, pk=invitation_id)
    try:
        invitation_revoke(actor=signed_in_user(request), invitation=invitation)
    except DomainError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(
            request, _("Revoked the invitation for %(email)s.") % {"email": invitation.email}
        )
    return redirect("staff_invitations:list")


@permission_required(RUN_PROGRAM, raise_exception=True)
@require_POST
def staff_invitation_resend(request: HttpRequest, invitation_id: int) -> HttpResponse:
    invitation = get_object_or_404(Invitation, pk=invitation_id)
    try:
        invitation_resend(actor=signed_in_user(request), invitation=invitation)
    except (DomainError, ValidationError) as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, _("Sent a new link to %(email)s.") % {"email": invitation.email})
    return redirect("staff_invitations:list")
