from __future__ import annotations

from typing import Any

from django.http import Http404
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.generics import GenericAPIView
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.http import signed_in_user
from accounts.models import User
from accounts.scopes import ANYONE_READ, ARTIST_READ, STAFF_WRITE
from api.parsers import NestingLimitedJSONParser
from api.permissions import IsReviewer
from feedback.models import FeedbackItem, StatusChange
from feedback.selectors import (
    feedback_history_for,
    feedback_item_for,
    feedback_of,
    feedback_reply_for,
)
from feedback.services import feedback_me_too, feedback_set_status, feedback_submit


class StatusChangeSerializer(serializers.ModelSerializer):
    """One step of an item's history (a ``FeedbackHistoryEntry``): ``reply`` is empty where
    it is private to the reporter and staff and the viewer is neither."""

    class Meta:
        model = StatusChange
        fields = ["status", "reply", "reply_public", "changed_at"]


class FeedbackSerializer(serializers.ModelSerializer):
    """An item as ``context["viewer"]`` may read it: private staff replies are shown to
    the reporter and staff only (without a viewer, to nobody)."""

    staff_reply = serializers.SerializerMethodField()
    history = serializers.SerializerMethodField()
    screenshots = serializers.SerializerMethodField()

    class Meta:
        model = FeedbackItem
        fields = [
            "id",
            "kind",
            "title",
            "status",
            "staff_reply",
            "staff_reply_public",
            "fixed_in",
            "duplicate_of",
            "created_at",
            "updated_at",
            "job",
            "rating",
            "tags",
            "comment",
            "steps",
            "expected",
            "actual",
            "severity",
            "category",
            "prompts",
            "job_ids",
            "screenshots",
            "history",
        ]

    def get_screenshots(self, item: FeedbackItem) -> int:
        return item.attachments.count()

    def _viewer(self) -> User | None:
        viewer = self.context.get("viewer")
        return viewer if isinstance(viewer, User) else None

    def get_staff_reply(self, item: FeedbackItem) -> str:
        """The latest staff reply; empty if private to someone else."""
        return feedback_reply_for(user=self._viewer(), item=item)

    @extend_schema_field(StatusChangeSerializer(many=True))
    def get_history(self, item: FeedbackItem) -> Any:
        entries = feedback_history_for(user=self._viewer(), item=item)
        return StatusChangeSerializer(entries, many=True).data


class FeedbackCreateSerializer(serializers.Serializer):
    """Documentation of the fields; the service checks them per kind."""

    kind = serializers.ChoiceField(choices=["output", "bug", "safety", "feature"])
    title = serializers.CharField(required=False)
    job = serializers.IntegerField(required=False, help_text="output: your video's job id")
    rating = serializers.IntegerField(required=False, help_text="output: 1 to 5")
    tags = serializers.ListField(child=serializers.CharField(), required=False)
    comment = serializers.CharField(required=False)
    steps = serializers.CharField(required=False)
    expected = serializers.CharField(required=False)
    actual = serializers.CharField(required=False)
    severity = serializers.CharField(required=False)
    category = serializers.CharField(required=False)
    prompts = serializers.CharField(required=False)
    job_ids = serializers.ListField(child=serializers.IntegerField(), required=False)
    screenshots = serializers.ListField(child=serializers.FileField(), required=False)


class FeedbackListCreateApi(GenericAPIView):
    """Your feedback (newest first), or file new feedback (JSON, or multipart with
    ``screenshots`` for bug reports)."""

    parser_classes = [NestingLimitedJSONParser, MultiPartParser, FormParser]
    serializer_class = FeedbackSerializer
    token_scopes = {"GET": ARTIST_READ}  # filing feedback: signed in, in the browser

    @extend_schema(operation_id="feedback_list", responses=FeedbackSerializer(many=True))
    def get(self, request: Request) -> Response:
        user = signed_in_user(request)
        page = self.paginate_queryset(feedback_of(user=user))
        return self.get_paginated_response(
            FeedbackSerializer(page, many=True, context={"viewer": user}).data
        )

    @extend_schema(request=FeedbackCreateSerializer, responses={201: FeedbackSerializer})
    def post(self, request: Request) -> Response:
        payload: Any = request.data
        data = {key: payload.get(key) for key in payload}
        for many in ("tags", "job_ids"):
            if hasattr(request.data, "getlist") and many in request.data:
                data[many] = request.data.getlist(many)
        item = feedback_submit(
            reporter=signed_in_user(request),
            kind=str(data.pop("kind", "") or ""),
            data=data,
            screenshots=request.FILES.getlist("screenshots"),
        )
        return Response(
            FeedbackSerializer(item, context={"viewer": signed_in_user(request)}).data,
            status=201,
        )


class FeedbackDetailApi(APIView):
    # Staff read every item here, safety findings included: review scopes reach it.
    token_scopes = {"GET": ANYONE_READ}

    @extend_schema(responses=FeedbackSerializer)
    def get(self, request: Request, pk: int) -> Response:
        user = signed_in_user(request)
        item = feedback_item_for(user=user, pk=pk)
        if item is None:
            raise Http404
        return Response(FeedbackSerializer(item, context={"viewer": user}).data)


class MeTooSerializer(serializers.Serializer):
    details = serializers.CharField()


class FeedbackMeTooApi(APIView):
    @extend_schema(request=MeTooSerializer, responses={201: None})
    def post(self, request: Request, pk: int) -> Response:
        item = feedback_item_for(user=signed_in_user(request), pk=pk)
        if item is None:
            raise Http404
        feedback_me_too(
            item=item,
            reporter=signed_in_user(request),
            details=str(getattr(request.data, "get", lambda *_: "")("details", "")),
        )
        return Response({"ok": True}, status=201)


class StatusSerializer(serializers.Serializer):
    status = serializers.CharField()
    reply = serializers.CharField(required=False, allow_blank=True)
    reply_public = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Let other artists who can see the item read the reply; by default it is "
        "private to the reporter and staff.",
    )
    fixed_in = serializers.CharField(required=False, allow_blank=True)
    duplicate_of = serializers.IntegerField(required=False, allow_null=True)


class FeedbackStatusApi(APIView):
    """Staff: move an item on the triage board."""

    permission_classes = [*APIView.permission_classes, IsReviewer]
    token_scopes = {"POST": STAFF_WRITE}

    @extend_schema(request=StatusSerializer, responses=FeedbackSerializer)
    def post(self, request: Request, pk: int) -> Response:
        item = FeedbackItem.objects.filter(pk=pk).first()
        if item is None:
            raise Http404
        data = StatusSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        original = None
        if data.validated_data.get("duplicate_of"):
            original = FeedbackItem.objects.filter(pk=data.validated_data["duplicate_of"]).first()
            if original is None:
                raise serializers.ValidationError({"duplicate_of": ["No such item."]})
        item = feedback_set_status(
            item=item,
            staff=signed_in_user(request),
            status=data.validated_data["status"],
            reply=data.validated_data.get("reply", ""),
            reply_public=data.validated_data.get("reply_public", False),
            fixed_in=data.validated_data.get("fixed_in", ""),
            duplicate_of=original,
        )
        return Response(FeedbackSerializer(item, context={"viewer": signed_in_user(request)}).data)
