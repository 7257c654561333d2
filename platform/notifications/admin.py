"""Operations may look up an artist's email choices (support: "why don't I get emails?");
only the artist changes them. Notifications themselves are not shown here: they are the
artist's messages."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from notifications.models import NotificationPreference


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(admin.ModelAdmin):
    list_display = ["user", "email_on_video_ready", "email_on_review_decision", "updated_at"]
    search_fields = ["user__email"]
    readonly_fields = ["user", "email_on_video_ready", "email_on_review_decision", "updated_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
