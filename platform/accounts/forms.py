"""Our versions of allauth's account forms."""

from __future__ import annotations

from allauth.account.adapter import get_adapter
from allauth.account.forms import ChangePasswordForm


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
