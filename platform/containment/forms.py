"""What the kill-switch page's buttons send."""

from __future__ import annotations

from typing import Any

from django import forms

from accounts.models import User
from cohorts.models import Cohort
from web.refusals import TypedTextField

COHORT_ACTIONS = ("pause_cohort", "resume_cohort")
ACCOUNT_ACTIONS = ("suspend", "restore")


class SwitchForm(forms.Form):
    """One switch: ``action`` with its reason and, as the action needs, the cohort (by
    number) or the account (by email). A cohort or account that doesn't exist is the
    form's error; the services check the rest."""

    action = TypedTextField()
    reason = TypedTextField()
    stop_running = TypedTextField()
    cohort = TypedTextField()
    email = TypedTextField()

    def clean_stop_running(self) -> bool:
        # Only a ticked box: "on" is what a browser sends for it.
        return self.cleaned_data["stop_running"] == "on"

    def clean_cohort(self) -> Cohort | None:
        try:
            pk = int(self.cleaned_data["cohort"])
        except ValueError:
            return None
        return Cohort.objects.filter(pk=pk).first()

    def clean_email(self) -> User | None:
        email = self.cleaned_data["email"].strip()
        if not email:
            return None
        try:
            return User.objects.get(email__iexact=email)
        except User.DoesNotExist:
            return None

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        action = cleaned.get("action")
        if (action in COHORT_ACTIONS and cleaned.get("cohort") is None) or (
            action in ACCOUNT_ACTIONS and cleaned.get("email") is None
        ):
            raise forms.ValidationError("No such cohort or account.")
        return cleaned
