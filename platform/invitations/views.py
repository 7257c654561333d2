"""Pages for people holding an invitation link."""

from __future__ import annotations

from allauth.account.adapter import get_adapter
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from invitations.errors import InvitationError
from invitations.services import invitation_for_token
from invitations.session import remember_token


def render_invitation_error(request: HttpRequest, error: InvitationError) -> HttpResponse:
    return render(
        request,
        "invitations/invalid.html",
        {"error": error, "title": error.title},
        status=error.http_status,
    )


def invitation_landing(request: HttpRequest, token: str) -> HttpResponse:
    """The link from the invitation email: check it, then continue to sign-up."""
    try:
        invitation = invitation_for_token(token=token)
    except InvitationError as error:
        return render_invitation_error(request, error)
    if request.user.is_authenticated:
        return render(request, "invitations/signed_in.html", {"invitation": invitation}, status=409)
    remember_token(request, token)
    # The link reached this inbox, so allauth may treat the address as verified.
    get_adapter(request).stash_verified_email(request, invitation.email)
    return redirect("account_signup")
