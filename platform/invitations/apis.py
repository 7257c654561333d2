from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.generics import GenericAPIView, get_object_or_404
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.http import signed_in_user
from accounts.scopes import STAFF_READ
from api.permissions import IsProgramAdmin
from cohorts.models import Cohort
from invitations.models import Invitation
from invitations.services import invitation_create, invitation_for_token, invitation_revoke


class InvitationSerializer(serializers.ModelSerializer):
    cohort = serializers.SlugRelatedField[Cohort](slug_field="name", read_only=True)
    state = serializers.CharField(read_only=True)
    inviter = serializers.EmailField(source="inviter.email", read_only=True, allow_null=True)

    class Meta:
        model = Invitation
        fields = ["id", "email", "cohort", "state", "inviter", "created_at", "expires_at",
                  "accepted_at", "revoked_at"]  # fmt: skip


class InvitationCreatedSerializer(InvitationSerializer):
    """What POST answers (documentation only): the invitation plus its secret link."""

    signup_url = serializers.CharField(help_text="The secret sign-up link. Shown only once.")

    class Meta(InvitationSerializer.Meta):
        fields = [*InvitationSerializer.Meta.fields, "signup_url"]


class InvitationCreateSerializer(serializers.Serializer):
    email = serializers.EmailField()
    cohort = serializers.SlugRelatedField(
        slug_field="name", queryset=Cohort.objects.all(), help_text="The cohort's name."
    )
    expires_in_days = serializers.IntegerField(min_value=1, max_value=90, required=False)


class InvitationListCreateApi(GenericAPIView):
    """Staff: list invitations, or invite an email into a cohort (the link is emailed)."""

    permission_classes = [*APIView.permission_classes, IsProgramAdmin]
    token_scopes = {"GET": STAFF_READ}  # inviting and revoking: in the browser only
    queryset = Invitation.objects.select_related("cohort", "inviter")
    serializer_class = InvitationSerializer

    @extend_schema(responses=InvitationSerializer(many=True))  # paginated
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(InvitationSerializer(page, many=True).data)

    @extend_schema(request=InvitationCreateSerializer, responses={201: InvitationCreatedSerializer})
    def post(self, request: Request) -> Response:
        serializer = InvitationCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        issued = invitation_create(
            inviter=signed_in_user(request),
            email=serializer.validated_data["email"],
            cohort=serializer.validated_data["cohort"],
            expires_in_days=serializer.validated_data.get("expires_in_days"),
        )
        body = {**InvitationSerializer(issued.invitation).data, "signup_url": issued.link}
        return Response(body, status=201)


class InvitationRevokeApi(APIView):
    permission_classes = [*APIView.permission_classes, IsProgramAdmin]

    @extend_schema(request=None, responses=InvitationSerializer)
    def post(self, request: Request, pk: int) -> Response:
        invitation = get_object_or_404(Invitation, pk=pk)
        invitation = invitation_revoke(actor=signed_in_user(request), invitation=invitation)
        return Response(InvitationSerializer(invitation).data)


class InvitationVerifySerializer(serializers.Serializer):
    token = serializers.CharField(max_length=200, help_text="The secret from the sign-up link.")


class InvitationVerifiedSerializer(serializers.Serializer):
    email = serializers.EmailField()
    cohort = serializers.CharField()
    expires_at = serializers.DateTimeField()


class InvitationVerifyApi(APIView):
    """Public: is this invitation link usable? Answers with the reason when not
    (invitation_unknown 404; invitation_expired, invitation_used, invitation_revoked 410)."""

    permission_classes = [AllowAny]
    authentication_classes: list = []

    @extend_schema(request=InvitationVerifySerializer, responses=InvitationVerifiedSerializer)
    def post(self, request: Request) -> Response:
        serializer = InvitationVerifySerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        invitation = invitation_for_token(token=serializer.validated_data["token"])
        return Response(
            InvitationVerifiedSerializer(
                {
                    "email": invitation.email,
                    "cohort": invitation.cohort.name,
                    "expires_at": invitation.expires_at,
                }
            ).data
        )
