from __future__ import annotations

from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.http import signed_in_user
from accounts.scopes import STAFF_READ, STAFF_WRITE
from api.permissions import IsReviewer
from moderation.models import ReviewItem, ReviewStatus, StaffNote
from moderation.selectors import (
    decode_cursor,
    queue_artist_ids,
    review_item_for_staff,
    review_queue,
    staff_notes_of,
)
from moderation.services import review_claim, review_decide, staff_note_add
from screening.selectors import screening_of, screening_summary
from web.media_links import media_url


class ReviewItemSerializer(serializers.ModelSerializer):
    job_id = serializers.IntegerField(source="output.job_id")
    artist = serializers.EmailField(source="artist.email")
    cohort = serializers.CharField(source="cohort.name")
    prompt = serializers.CharField(source="output.job.prompt")
    claimed_by = serializers.EmailField(source="claimed_by.email", allow_null=True)
    overdue = serializers.SerializerMethodField()
    video_url = serializers.SerializerMethodField()

    class Meta:
        model = ReviewItem
        fields = [
            "id", "job_id", "artist", "cohort", "prompt", "status", "stage", "created_at",
            "due_at", "overdue", "claimed_by", "claim_expires_at", "decided_at",
            "reason_code", "note", "appeal_statement", "video_url",
        ]  # fmt: skip

    def get_overdue(self, item: ReviewItem) -> bool:
        from django.utils import timezone

        return item.is_open and item.due_at < timezone.now()

    def get_video_url(self, item: ReviewItem) -> str:
        return media_url(output=item.output, kind="video", viewer=self.context["request"].user)


class StaffNoteSerializer(serializers.ModelSerializer):
    author = serializers.EmailField(source="author.email")

    class Meta:
        model = StaffNote
        fields = ["id", "author", "body", "created_at"]


class ScreeningSerializer(serializers.Serializer):
    """The automated pre-screen of the item's output (issue 18): flags and a risk score
    for the reviewer; it never decides."""

    status = serializers.ChoiceField(choices=["screened", "not_screened"])
    risk_score = serializers.IntegerField(min_value=0, max_value=100)
    flags = serializers.ListField(child=serializers.CharField())
    classifier = serializers.CharField()
    scores = serializers.DictField(child=serializers.FloatField())
    error = serializers.CharField(allow_null=True)
    screened_at = serializers.DateTimeField()


class ReviewItemDetailSerializer(ReviewItemSerializer):
    """One item as staff see it: with its private staff notes, newest first (the
    queue's rows leave them out), and its pre-screen (null for outputs made before
    pre-screening)."""

    staff_notes = serializers.SerializerMethodField()
    screening = serializers.SerializerMethodField()

    class Meta(ReviewItemSerializer.Meta):
        fields = [*ReviewItemSerializer.Meta.fields, "staff_notes", "screening"]

    @extend_schema_field(ScreeningSerializer(allow_null=True))
    def get_screening(self, item: ReviewItem) -> dict[str, object] | None:
        return screening_summary(screening_of(output=item.output))

    @extend_schema_field(StaffNoteSerializer(many=True))
    def get_staff_notes(self, item: ReviewItem) -> list[dict[str, object]]:
        return StaffNoteSerializer(staff_notes_of(item=item), many=True).data  # type: ignore[return-value]


class QueuePageSerializer(serializers.Serializer):
    results = ReviewItemSerializer(many=True)
    next = serializers.CharField(allow_null=True, help_text="Pass as ?after= for the next page.")


def _flag(value: str | None) -> bool:
    return value in ("1", "true", "yes")


class ReviewQueueApi(APIView):
    """Open review items by due time. Keyset pagination: follow ``next``."""

    permission_classes = [*APIView.permission_classes, IsReviewer]
    token_scopes = {"GET": STAFF_READ}

    @extend_schema(
        parameters=[
            OpenApiParameter("cohort", int),
            OpenApiParameter(
                "artist",
                str,
                description="An artist's id, or part of their email, full name or public "
                "credit (any case).",
            ),
            OpenApiParameter("overdue", bool),
            OpenApiParameter("appeals", bool),
            OpenApiParameter("after", str),
            OpenApiParameter("limit", int),
        ],
        responses=QueuePageSerializer,
    )
    def get(self, request: Request) -> Response:
        params = request.query_params
        after = None
        if params.get("after"):
            after = decode_cursor(params["after"])
            if after is None:
                raise ApiValidationError({"after": ["Not a cursor from this API."]})
        try:
            limit = min(200, max(1, int(params.get("limit", 50))))
            cohort = int(params["cohort"]) if params.get("cohort") else None
        except ValueError:
            raise ApiValidationError({"detail": ["cohort and limit are whole numbers."]}) from None
        # A ValidationError on "artist" (too long, too many matches) is the API's 400.
        artists = queue_artist_ids(text=params.get("artist", ""))
        page = review_queue(
            cohort_id=cohort, artist_ids=artists, overdue=_flag(params.get("overdue")),
            appeals=_flag(params.get("appeals")), after=after, limit=limit,
        )  # fmt: skip
        items = ReviewItemSerializer(page.items, many=True, context={"request": request}).data
        return Response({"results": items, "next": page.next_cursor})


class RejectSerializer(serializers.Serializer):
    reason_code = serializers.CharField(help_text="One of the configured rejection reasons.")
    note = serializers.CharField(allow_blank=True, help_text="Required: the artist reads it.")


class ApproveSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True)


class _ItemAction(APIView):
    permission_classes = [*APIView.permission_classes, IsReviewer]
    token_scopes = {"POST": STAFF_WRITE}

    def item(self, pk: int) -> ReviewItem:
        item = review_item_for_staff(item_id=pk)
        if item is None:
            raise Http404
        return item

    def answer(self, request: Request, item: ReviewItem) -> Response:
        fresh = review_item_for_staff(item_id=item.pk)
        return Response(ReviewItemDetailSerializer(fresh, context={"request": request}).data)


class ReviewItemApi(_ItemAction):
    """One review item, with its private staff notes."""

    token_scopes = {"GET": STAFF_READ}

    @extend_schema(responses=ReviewItemDetailSerializer)
    def get(self, request: Request, pk: int) -> Response:
        return self.answer(request, self.item(pk))


class StaffNoteRequestSerializer(serializers.Serializer):
    body = serializers.CharField(
        allow_blank=True, trim_whitespace=False, help_text="Up to 2000 characters; staff only."
    )


class ReviewNoteApi(_ItemAction):
    """Add a private staff note to an item: reviewers and program admins read it, the
    artist never does. Answers the item with its notes."""

    @extend_schema(request=StaffNoteRequestSerializer, responses=ReviewItemDetailSerializer)
    def post(self, request: Request, pk: int) -> Response:
        data = StaffNoteRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        item = self.item(pk)
        staff_note_add(item=item, author=signed_in_user(request), body=data.validated_data["body"])
        return self.answer(request, item)


class ReviewClaimApi(_ItemAction):
    @extend_schema(request=None, responses=ReviewItemSerializer)
    def post(self, request: Request, pk: int) -> Response:
        return self.answer(
            request, review_claim(item=self.item(pk), reviewer=signed_in_user(request))
        )


class ReviewApproveApi(_ItemAction):
    @extend_schema(request=ApproveSerializer, responses=ReviewItemSerializer)
    def post(self, request: Request, pk: int) -> Response:
        data = ApproveSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        # A decision needs the reviewer's claim (claim_required otherwise): no claiming here.
        item = review_decide(
            item=self.item(pk),
            reviewer=signed_in_user(request),
            decision=ReviewStatus.APPROVED,
            note=data.validated_data.get("note", ""),
        )
        return self.answer(request, item)


class ReviewRejectApi(_ItemAction):
    @extend_schema(request=RejectSerializer, responses=ReviewItemSerializer)
    def post(self, request: Request, pk: int) -> Response:
        data = RejectSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        item = review_decide(
            item=self.item(pk),
            reviewer=signed_in_user(request),
            decision=ReviewStatus.REJECTED,
            reason_code=data.validated_data["reason_code"],
            note=data.validated_data["note"],
        )
        return self.answer(request, item)
