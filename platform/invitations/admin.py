from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest

from accounts.http import signed_in_user
from domain.errors import DomainError
from invitations.models import Invitation
from invitations.services import (
    invitation_create,
    invitation_revoke,
    invitation_validate_email,
)


class InvitationCreateForm(forms.ModelForm):
    expires_in_days = forms.IntegerField(min_value=1, max_value=90, initial=7)

    class Meta:
        model = Invitation
        fields = ["email", "cohort"]

    def clean_email(self) -> str:
        # The service's own check, so the admin shows the same field errors as the API.
        try:
            return invitation_validate_email(email=self.cleaned_data["email"])
        except ValidationError as error:
            raise ValidationError(error.error_dict["email"]) from None


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "cohort", "state_label", "inviter", "created_at", "expires_at"]
    list_filter = ["status", "cohort"]
    search_fields = ["email"]
    actions = ["revoke_selected"]
    readonly_fields = [
        "inviter",
        "status",
        "created_at",
        "expires_at",
        "accepted_at",
        "accepted_by",
        "revoked_at",
    ]

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any):
        if obj is None:
            kwargs["form"] = InvitationCreateForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        if obj is None:
            return []
        return ["email", "cohort", *self.readonly_fields]

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return ["email", "cohort", "expires_in_days"]
        return ["email", "cohort", *self.readonly_fields]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # revoke instead: the record is part of the audit trail

    @admin.display(description="State")
    def state_label(self, obj: Invitation) -> str:
        return obj.state.label

    def save_form(self, request: HttpRequest, form: Any, change: bool) -> Any:
        if change:
            return super().save_form(request, form, change)
        # Created through the service (hashed secret, email after commit), not form.save().
        issued = invitation_create(
            inviter=signed_in_user(request),
            email=form.cleaned_data["email"],
            cohort=form.cleaned_data["cohort"],
            expires_in_days=form.cleaned_data["expires_in_days"],
        )
        messages.success(
            request,
            f"Invitation emailed to {issued.invitation.email}. Sign-up link (shown once): "
            f"{issued.link}",
        )
        return issued.invitation

    def save_model(self, request: HttpRequest, obj: Invitation, form: Any, change: bool) -> None:
        pass  # save_form created it; nothing on an existing invitation is editable

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        pass  # no many-to-many fields or inlines

    @admin.action(description="Revoke selected pending invitations")
    def revoke_selected(self, request: HttpRequest, queryset: QuerySet[Invitation]) -> None:
        revoked = 0
        for invitation in queryset:
            try:
                invitation_revoke(actor=signed_in_user(request), invitation=invitation)
                revoked += 1
            except DomainError as error:
                messages.error(request, f"{invitation.email}: {error.message}")
        messages.success(request, f"Revoked {revoked} invitation(s).")
