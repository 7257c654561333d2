"""The signed-in artist's own summary in JSON (`GET /api/v1/me/`): the dashboard's API twin."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.http import signed_in_user
from accounts.scopes import ANYONE_READ
from accounts.selectors import user_public_byline
from agreements.selectors import agreement_status
from jobs.selectors import quota_remaining_today


class MeCohortSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    is_paused = serializers.BooleanField()
    daily_generation_quota = serializers.IntegerField()
    allowed_durations = serializers.ListField(child=serializers.IntegerField())
    allowed_resolutions = serializers.ListField(child=serializers.CharField())


class MeAgreementSerializer(serializers.Serializer):
    current_version_id = serializers.IntegerField(allow_null=True)
    accepted = serializers.BooleanField()
    accepted_at = serializers.DateTimeField(allow_null=True)
    # DRF pops declared fields off the class, so this does not shadow Field.required.
    required = serializers.BooleanField()  # type: ignore[assignment]


class MeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    email = serializers.EmailField()
    full_name = serializers.CharField()
    public_credit = serializers.CharField(
        help_text="The credit in published videos' C2PA manifest; empty: uncredited."
    )
    public_byline = serializers.CharField(
        help_text="How public pages name you: the public credit, or a neutral label."
    )
    public_credit_refusal = serializers.CharField(
        allow_null=True, help_text="Why the program team refused the credit, if it did."
    )
    role = serializers.CharField(allow_null=True)
    cohort = MeCohortSerializer(allow_null=True)
    agreement = MeAgreementSerializer()
    quota_remaining_today = serializers.IntegerField(allow_null=True)


class MeApi(APIView):
    """The signed-in user: role, cohort, agreement status and what's left of today's quota."""

    token_scopes = {"GET": ANYONE_READ}

    @extend_schema(responses=MeSerializer)
    def get(self, request: Request) -> Response:
        user = signed_in_user(request)
        status = agreement_status(user=user)
        cohort = user.cohort
        data = {
            "id": user.pk,
            "email": user.email,
            "full_name": user.full_name,
            "public_credit": user.public_credit,
            "public_byline": user_public_byline(user=user),
            "public_credit_refusal": user.public_credit_refusal or None,
            "role": user.role,
            "cohort": cohort,
            "agreement": {
                "current_version_id": status.current.pk if status.current else None,
                "accepted": status.accepted,
                "accepted_at": status.acceptance.accepted_at if status.acceptance else None,
                "required": status.required,
            },
            "quota_remaining_today": quota_remaining_today(user=user),
        }
        return Response(MeSerializer(data).data)
