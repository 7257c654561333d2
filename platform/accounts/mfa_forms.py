"""Our versions of allauth's two-factor forms (``MFA_FORMS``).

- Set-up keeps one pending secret for the page's life: allauth makes a new one on every
  GET, so any second request for the page (a reload, a prefetch, a favicon redirected
  there) silently replaced the key the person had already scanned.
- Turning the app off, and replacing the recovery codes, need a current code from the app
  or an unused recovery code, not only the password: someone who learnt the password
  must not be able to swap the owner's second factor for their own.
"""

from __future__ import annotations

from typing import Any

from allauth.core import context
from allauth.mfa.adapter import get_adapter
from allauth.mfa.base.forms import BaseAuthenticateForm
from allauth.mfa.recovery_codes.internal import flows as recovery_flows
from allauth.mfa.totp import forms as totp_forms
from allauth.mfa.totp.internal import auth as totp_auth
from django import forms

from accounts.mfa import session_record_enrolment

CODE_HELP = "A code from your authenticator app, or one of your unused recovery codes."


class StableSecretActivateTOTPForm(totp_forms.ActivateTOTPForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # Not the parent's __init__: it makes a new secret for every unbound (GET) form.
        self.user = kwargs.pop("user")
        forms.Form.__init__(self, *args, **kwargs)
        # The pending secret lives in this session only and is cleared once the app is
        # set up; until then every showing of the page shows the same one.
        self.secret = totp_auth.get_totp_secret(regenerate=False)

    def clean_code(self) -> str:
        code = super().clean_code()
        # A valid code from the new app proves the second factor for this session.
        session_record_enrolment(request=context.request, user=self.user)
        return code


class CodeConfirmedDeactivateTOTPForm(BaseAuthenticateForm):
    """allauth's view binds this form to ``{}`` on GET to show refusals at once; an empty
    submission is shown as a fresh form instead of "this field is required"."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.authenticator = kwargs.pop("authenticator")
        kwargs["user"] = self.authenticator.user
        super().__init__(*args, **kwargs)
        self.fields["code"].help_text = CODE_HELP
        if not self.data:
            self.is_bound = False

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        adapter = get_adapter()
        if not adapter.can_delete_authenticator(self.authenticator):
            raise adapter.validation_error("cannot_delete_authenticator")
        return cleaned


class CodeConfirmedGenerateRecoveryCodesForm(BaseAuthenticateForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["code"].help_text = CODE_HELP

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not recovery_flows.can_generate_recovery_codes(self.user):
            raise get_adapter().validation_error("cannot_generate_recovery_codes")
        return cleaned
