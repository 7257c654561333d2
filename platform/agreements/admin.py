from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from accounts.http import signed_in_user
from agreements.models import AgreementAcceptance, AgreementTranslation, AgreementVersion
from agreements.services import agreement_version_publish


class AcceptanceInline(admin.TabularInline):
    model = AgreementAcceptance
    extra = 0
    can_delete = False
    fields = ("user", "typed_full_name", "accepted_at", "ip_address", "text_sha256")
    readonly_fields = ("user", "typed_full_name", "accepted_at", "ip_address", "text_sha256")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class TranslationInline(admin.StackedInline):
    """Translations for reading: editable even once the version is published, since
    nobody signs them (decision 0025)."""

    model = AgreementTranslation
    extra = 0
    fields = ("language", "title", "body")
    verbose_name = "translation for reading (not binding)"
    verbose_name_plural = "translations for reading (not binding)"


@admin.register(AgreementVersion)
class AgreementVersionAdmin(admin.ModelAdmin):
    list_display = ["title", "language", "effective_at", "published_at", "acceptance_count"]
    actions = ["publish_selected"]
    inlines = [TranslationInline, AcceptanceInline]
    readonly_fields = ["published_at", "published_by", "text_sha256"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        if obj is not None and obj.is_published:
            return ["title", "body", "language", "effective_at", *self.readonly_fields]
        return list(self.readonly_fields)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return obj is None or not obj.is_published

    @admin.display(description="Accepted by")
    def acceptance_count(self, obj: AgreementVersion) -> int:
        return obj.acceptances.count()

    @admin.action(description="Publish selected drafts (freezes the text; everyone must re-accept)")
    def publish_selected(self, request: HttpRequest, queryset: QuerySet[AgreementVersion]) -> None:
        for version in queryset:
            agreement_version_publish(actor=signed_in_user(request), version=version)
        messages.success(request, f"Published {queryset.count()} version(s).")


@admin.register(AgreementAcceptance)
class AgreementAcceptanceAdmin(admin.ModelAdmin):
    list_display = ["user", "version", "typed_full_name", "accepted_at", "ip_address"]
    list_filter = ["version"]
    search_fields = ["user__email", "typed_full_name"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
