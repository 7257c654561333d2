"""Notifications over the API: the caller's own, never anyone else's. Default permissions
apply (signed in, agreement accepted); scopes in docs/api-tokens.md."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.http import signed_in_user
from accounts.models import TokenScope
from accounts.scopes import ANYONE_READ
from notifications.models import Notification, NotificationPreference
from notifications.selectors import (
    notification_preferences_of,
    notification_unread_count,
    notifications_of,
)
from notifications.services import notification_mark_read, notification_preferences_set

# Marking read changes a little state: the write scope of either role, not a read token.
_MARK_READ = frozenset({TokenScope.GENERATE, TokenScope.REVIEW_WRITE})


class NotificationSerializer(serializers.ModelSerializer):
    job = serializers.IntegerField(
        source="job_id", allow_null=True, help_text="The job it is about, if any."
    )
    link = serializers.CharField(help_text="Where it points in the portal (a path), or empty.")

    class Meta:
        model = Notification
        fields = ["id", "kind", "message", "job", "link", "created_at", "read_at"]


class NotificationPageSerializer(serializers.Serializer):
    unread = serializers.IntegerField(help_text="All your unread notifications, on any page.")
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = NotificationSerializer(many=True, help_text="Newest first.")


class NotificationListApi(GenericAPIView):
    """Your notifications, newest first (paginated). ``unread`` counts all your unread ones."""

    serializer_class = NotificationSerializer
    token_scopes = {"GET": ANYONE_READ}

    @extend_schema(
        operation_id="notifications_list",
        responses=NotificationPageSerializer,
        parameters=[
            OpenApiParameter("limit", int, description="Notifications per page (default 50)."),
            OpenApiParameter("offset", int, description="Notifications to skip."),
        ],
    )
    def get(self, request: Request) -> Response:
        me = signed_in_user(request)
        page = self.paginate_queryset(notifications_of(user=me))
        response = self.get_paginated_response(NotificationSerializer(page, many=True).data)
        response.data = {"unread": notification_unread_count(user=me), **response.data}
        return response


class NotificationReadApi(APIView):
    """Mark one of your notifications read (again: no change). Someone else's: 404."""

    token_scopes = {"POST": _MARK_READ}

    @extend_schema(request=None, responses=NotificationSerializer)
    def post(self, request: Request, pk: int) -> Response:
        notification = notification_mark_read(user=signed_in_user(request), notification_id=pk)
        return Response(NotificationSerializer(notification).data)


class NotificationPreferenceSerializer(serializers.ModelSerializer):
    email_on_video_ready = serializers.BooleanField(
        help_text="Email me when a video is ready (the portal always tells you)."
    )
    email_on_review_decision = serializers.BooleanField(
        help_text="Email me when a video has been reviewed."
    )

    class Meta:
        model = NotificationPreference
        fields = ["email_on_video_ready", "email_on_review_decision"]


class NotificationPreferenceApi(APIView):
    """Which notifications also come by email. PUT sends both fields as booleans (a
    missing field, null, or anything that isn't true/false is an error on that field,
    and nothing changes). Changing them: browser sessions only, like the other account
    settings."""

    token_scopes = {"GET": ANYONE_READ}

    @extend_schema(
        operation_id="notification_preferences_retrieve",
        responses=NotificationPreferenceSerializer,
    )
    def get(self, request: Request) -> Response:
        preference = notification_preferences_of(user=signed_in_user(request))
        return Response(NotificationPreferenceSerializer(preference).data)

    @extend_schema(
        operation_id="notification_preferences_update",
        request=NotificationPreferenceSerializer,
        responses=NotificationPreferenceSerializer,
    )
    def put(self, request: Request) -> Response:
        incoming = NotificationPreferenceSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        preference = notification_preferences_set(
            user=signed_in_user(request), **incoming.validated_data
        )
        return Response(NotificationPreferenceSerializer(preference).data)
