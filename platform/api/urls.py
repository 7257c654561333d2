"""Every endpoint under /api/v1/."""

from django.urls import path

from accounts.apis import MeApi
from agreements.apis import AgreementCurrentApi
from invitations.apis import InvitationListCreateApi, InvitationRevokeApi, InvitationVerifyApi

app_name = "api"

urlpatterns = [
    path("me/", MeApi.as_view(), name="me"),
    path("agreements/current/", AgreementCurrentApi.as_view(), name="agreement-current"),
    path("invitations/", InvitationListCreateApi.as_view(), name="invitations"),
    path("invitations/verify/", InvitationVerifyApi.as_view(), name="invitation-verify"),
    path("invitations/<int:pk>/revoke/", InvitationRevokeApi.as_view(), name="invitation-revoke"),
]
