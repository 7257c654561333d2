"""The staff API's second opinions (decision 0036), blind as the pages are: the open ones a
reviewer may give, one of them, and claim / approve / reject (agreeing or not with the
first decision, approval or rejection, which the caller is not told). Settling a
disagreement is a program admin's page. Thin: ``moderation.second_opinions`` decides."""

from __future__ import annotations

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.http import signed_in_user
from accounts.scopes import STAFF_READ, STAFF_WRITE
from api.permissions import IsReviewer
from moderation.apis import ApproveSerializer, RejectSerializer
from moderation.models import ReviewStatus, SecondOpinion
from moderation.second_opinion_selectors import second_opinion_for_staff, second_opinion_queue
from moderation.second_opinions import second_opinion_claim, second_opinion_decide
from web.media_links import media_url


class BlindSecondOpinionSerializer(serializers.ModelSerializer):
    """A second opinion without the first decision: no outcome, reviewer, reason or note
    of it. ``second_outcome``, ``reason_code`` and ``note`` are the second reviewer's own."""

    item_id = serializers.IntegerField()
    job_id = serializers.IntegerField(source="item.output.job_id")
    artist = serializers.EmailField(source="item.artist.email")
    cohort = serializers.CharField(source="item.cohort.name")
    prompt = serializers.CharField(source="item.output.job.prompt")
    claimed_by = serializers.EmailField(source="claimed_by.email", allow_null=True)
    video_url = serializers.SerializerMethodField()

    class Meta:
        model = SecondOpinion
        fields = [
            "id", "item_id", "job_id", "artist", "cohort", "prompt", "status", "created_at",
            "claimed_by", "claim_expires_at", "second_outcome", "reason_code", "note",
            "decided_at", "video_url",
        ]  # fmt: skip

    def get_video_url(self, opinion: SecondOpinion) -> str:
        viewer = self.context["request"].user
        return media_url(output=opinion.item.output, kind="video", viewer=viewer)


class _OpinionApi(APIView):
    permission_classes = [*APIView.permission_classes, IsReviewer]
    token_scopes = {"GET": STAFF_READ, "POST": STAFF_WRITE}

    def opinion(self, pk: int) -> SecondOpinion:
        opinion = second_opinion_for_staff(opinion_id=pk)
        if opinion is None:
            raise Http404
        return opinion

    def answer(self, request: Request, opinion: SecondOpinion) -> Response:
        fresh = second_opinion_for_staff(opinion_id=opinion.pk)
        return Response(BlindSecondOpinionSerializer(fresh, context={"request": request}).data)


class SecondOpinionQueueApi(_OpinionApi):
    """Open second opinions the caller may give (never on their own approvals), oldest
    first, at most 50."""

    @extend_schema(responses=BlindSecondOpinionSerializer(many=True))
    def get(self, request: Request) -> Response:
        opinions = second_opinion_queue(reviewer=signed_in_user(request))
        data = BlindSecondOpinionSerializer(opinions, many=True, context={"request": request})
        return Response(data.data)


class SecondOpinionApi(_OpinionApi):
    """One second opinion, blind."""

    @extend_schema(responses=BlindSecondOpinionSerializer)
    def get(self, request: Request, pk: int) -> Response:
        return self.answer(request, self.opinion(pk))


class SecondOpinionClaimApi(_OpinionApi):
    @extend_schema(request=None, responses=BlindSecondOpinionSerializer)
    def post(self, request: Request, pk: int) -> Response:
        me = signed_in_user(request)
        return self.answer(request, second_opinion_claim(opinion=self.opinion(pk), reviewer=me))


class SecondOpinionApproveApi(_OpinionApi):
    """Would approve (needs the caller's claim: claim_required otherwise). The note is
    optional, whatever the first decision was, so the answer tells nothing of it."""

    @extend_schema(request=ApproveSerializer, responses=BlindSecondOpinionSerializer)
    def post(self, request: Request, pk: int) -> Response:
        data = ApproveSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        opinion = second_opinion_decide(
            opinion=self.opinion(pk),
            reviewer=signed_in_user(request),
            decision=ReviewStatus.APPROVED,
            note=data.validated_data.get("note", ""),
        )
        return self.answer(request, opinion)


class SecondOpinionRejectApi(_OpinionApi):
    """Would reject: a reason code and a note for the program admin (always, agreeing or
    not, so the answer tells nothing of the first decision)."""

    @extend_schema(request=RejectSerializer, responses=BlindSecondOpinionSerializer)
    def post(self, request: Request, pk: int) -> Response:
        data = RejectSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        opinion = second_opinion_decide(
            opinion=self.opinion(pk),
            reviewer=signed_in_user(request),
            decision=ReviewStatus.REJECTED,
            reason_code=data.validated_data["reason_code"],
            note=data.validated_data["note"],
        )
        return self.answer(request, opinion)
