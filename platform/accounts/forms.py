"""Our versions of allauth's account forms, and the forms of the account's own pages
(tokens, public credit) and of the staff credit page."""

from __future__ import annotations

from allauth.account.adapter import get_adapter
from allauth.account.forms import ChangePasswordForm
from django import forms

from web.refusals import TypedTextField


class LimitedChangePasswordForm(ChangePasswordForm):
    """The current password is checked the way sign-in checks it, so wrong guesses count
    against the same failed sign-in limits (per address and client IP, per client IP)
    instead of a separate, looser budget."""

    def clean_oldpassword(self) -> str:
        assert self.user is not None
        password = self.cleaned_data.get("oldpassword", "")
        if not get_adapter().reauthenticate(self.user, password):
            raise get_adapter().validation_error("enter_current_password")
        return password


class ApiTokenForm(forms.Form):
    """A new personal API token; the service checks each field."""

    name = TypedTextField()
    scope = TypedTextField()
    expires_in_days = TypedTextField()

    def clean_expires_in_days(self) -> int:
        """Not sent at all: the page's default, 90; not a whole number: 0 (refused)."""
        sent = self.add_prefix("expires_in_days") in self.data
        days: str = self.cleaned_data["expires_in_days"] if sent else "90"
        return int(days) if days.isascii() and days.isdigit() else 0


class PublicCreditForm(forms.Form):
    public_credit = TypedTextField()


class RefusePublicCreditForm(forms.Form):
    """A program admin refusing an account's public credit, with the reason."""

    user = TypedTextField()
    reason = TypedTextField()

    def clean_user(self) -> int:
        """The account's number; 0 (no account) for anything else."""
        pk: str = self.cleaned_data["user"]
        return int(pk) if pk.isascii() and pk.isdigit() else 0
