from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.authentication import TokenScopeAllows
from accounts.http import signed_in_user
from accounts.scopes import ANYONE_READ
from agreements.errors import NoAgreementPublished
from agreements.rendering import render_agreement_html
from agreements.selectors import agreement_status
from agreements.services import agreement_accept
from web.http import client_ip


class CurrentAgreementSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    body = serializers.CharField(help_text="Markdown, exactly as signed.")
    body_html = serializers.CharField(help_text="The body rendered to sanitised HTML.")
    effective_at = serializers.DateTimeField()
    text_sha256 = serializers.CharField()
    accepted = serializers.BooleanField()
    accepted_at = serializers.DateTimeField(allow_null=True)


class AcceptAgreementSerializer(serializers.Serializer):
    full_name = serializers.CharField(max_length=200, help_text="Typed full name: the signature.")
    text_sha256 = serializers.RegexField(
        r"^[0-9a-f]{64}$",
        required=False,
        help_text="Digest of the text you read; refused with agreement_changed if it is stale.",
    )


class AgreementCurrentApi(APIView):
    """Read and accept the current agreement. Open to gated users: it is the way out."""

    permission_classes = [IsAuthenticated, TokenScopeAllows]
    token_scopes = {"GET": ANYONE_READ}  # accepting is a signature: in the browser only

    def _payload(self, request: Request) -> dict:
        status = agreement_status(user=signed_in_user(request))
        version = status.current
        if version is None:
            raise NoAgreementPublished(_("No agreement has been published yet."))
        return {
            "id": version.pk,
            "title": version.title,
            "body": version.body,
            "body_html": render_agreement_html(version.body),
            "effective_at": version.effective_at,
            "text_sha256": version.text_sha256,
            "accepted": status.accepted,
            "accepted_at": status.acceptance.accepted_at if status.acceptance else None,
        }

    @extend_schema(responses=CurrentAgreementSerializer)
    def get(self, request: Request) -> Response:
        return Response(CurrentAgreementSerializer(self._payload(request)).data)

    @extend_schema(request=AcceptAgreementSerializer, responses={201: CurrentAgreementSerializer})
    def post(self, request: Request) -> Response:
        serializer = AcceptAgreementSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        agreement_accept(
            user=signed_in_user(request),
            typed_full_name=serializer.validated_data["full_name"],
            ip_address=client_ip(request),
            user_agent=request.headers.get("user-agent", ""),
            seen_sha256=serializer.validated_data.get("text_sha256"),
        )
        return Response(CurrentAgreementSerializer(self._payload(request)).data, status=201)
