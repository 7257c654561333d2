"""The sign-up form: allauth's, bound to the invitation in the visitor's session."""

from __future__ import annotations

from typing import Any

from allauth.account.forms import SignupForm
from allauth.core import context
from django import forms
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _

from accounts.models import normalize_email
from invitations.errors import InvitationError
from invitations.services import invitation_accept, invitation_for_token
from invitations.session import forget_token, remembered_token
from invitations.views import render_invitation_error


class InvitedSignupForm(SignupForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["email"].help_text = _("The address your invitation was sent to.")

    def _invited_email(self) -> str | None:
        request = context.request
        token = remembered_token(request) if request is not None else None
        if token is None:
            return None
        try:
            return invitation_for_token(token=token).email
        except InvitationError:
            return None

    def clean_email(self) -> str:
        email = super().clean_email()
        invited = self._invited_email()
        if invited is not None and normalize_email(email) != invited:
            raise forms.ValidationError(
                _("Your invitation was sent to %(invited)s. Sign up with that address.")
                % {"invited": invited},
                code="email_mismatch",
            )
        return email

    def try_save(self, request: HttpRequest) -> tuple[Any, Any]:
        """Create the account and use the invitation in one transaction: if the cohort
        filled up meanwhile, no account is left behind."""
        token = remembered_token(request)
        try:
            with transaction.atomic():
                user, response = super().try_save(request)
                if user is not None:
                    if token is None:
                        raise InvitationError(_("Open your invitation link again to sign up."))
                    invitation_accept(token=token, user=user)
        except InvitationError as error:
            return None, render_invitation_error(request, error)
        forget_token(request)
        return user, response
