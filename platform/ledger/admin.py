"""Operations views of rate cards (drafts editable, published ones read-only) and of the
ledger (read-only: entries change only through the services). Program admins only."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest

from accounts.http import signed_in_user
from accounts.permissions import is_program_admin
from ledger.models import LedgerEntry, RateCard
from ledger.rates import RATE_KEYS, rates_clean
from ledger.services import rate_card_create, rate_card_publish, rate_card_update


def _is_program_admin(request: HttpRequest) -> bool:
    return is_program_admin(request.user)


class RateCardForm(forms.ModelForm):
    class Meta:
        model = RateCard
        fields = ["version", "effective_at", "currency", "rates", "note"]
        help_texts = {
            "version": "Leave empty for the next number.",
            "rates": "Keys: " + ", ".join(RATE_KEYS) + '. Amounts as strings, e.g. "12.50".',
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if "version" in self.fields:
            self.fields["version"].required = False

    def clean_rates(self) -> dict[str, str]:
        try:
            return rates_clean(self.cleaned_data.get("rates"))
        except ValidationError as error:
            raise ValidationError(error.error_dict["rates"]) from None

    def clean_currency(self) -> str:
        code = (self.cleaned_data.get("currency") or "").strip().upper()
        if not (len(code) == 3 and code.isascii() and code.isalpha()):
            raise ValidationError('Give a three-letter currency code, e.g. "EUR".')
        return code


@admin.register(RateCard)
class RateCardAdmin(admin.ModelAdmin):
    form = RateCardForm
    list_display = ["version", "currency", "effective_at", "published_at", "created_by"]
    ordering = ["-version"]
    actions = ["publish_selected"]
    readonly_fields = ["published_at", "created_by", "created_at"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        if obj is not None and obj.is_published:
            return ["version", "effective_at", "currency", "rates", "note", *self.readonly_fields]
        return list(self.readonly_fields)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return _is_program_admin(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _is_program_admin(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return _is_program_admin(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # A published card is frozen: the admin shows it read-only.
        return _is_program_admin(request) and (obj is None or not obj.is_published)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _is_program_admin(request) and obj is not None and not obj.is_published

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # would reach published cards too
        return actions

    def save_model(self, request: HttpRequest, obj: RateCard, form: Any, change: bool) -> None:
        fields = {
            "effective_at": obj.effective_at,
            "rates": obj.rates,
            "currency": obj.currency,
            "note": obj.note,
        }
        admin_user = signed_in_user(request)
        if change:
            rate_card_update(admin=admin_user, card=obj, **fields)
            obj.refresh_from_db()
            return
        card = rate_card_create(admin=admin_user, version=obj.version, **fields)
        obj.pk, obj.version, obj.created_by = card.pk, card.version, card.created_by
        obj.created_at = card.created_at
        obj._state.adding = False

    @admin.action(description="Publish selected drafts (freezes them)")
    def publish_selected(self, request: HttpRequest, queryset: QuerySet[RateCard]) -> None:
        admin_user = signed_in_user(request)
        for card in queryset:
            rate_card_publish(admin=admin_user, card=card)
        messages.success(request, f"Published {queryset.count()} rate card(s).")


@admin.register(LedgerEntry)
class LedgerEntryAdmin(admin.ModelAdmin):
    """Read-only: add entries and reversals on the ledger staff page (/ledger/staff/)."""

    list_display = [
        "id",
        "created_at",
        "artist",
        "amount",
        "currency",
        "kind",
        "reason",
        "reverses",
        "source_key",
    ]
    list_filter = ["kind", "currency"]
    search_fields = ["artist__email", "source_key", "reason"]
    date_hierarchy = "created_at"
    ordering = ["-created_at", "-id"]
    list_select_related = ["artist", "reverses"]

    def has_module_permission(self, request: HttpRequest) -> bool:
        return _is_program_admin(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _is_program_admin(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
