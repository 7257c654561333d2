"""Every endpoint under /api/v1/."""

from django.urls import path

from accounts.apis import MeApi
from agreements.apis import AgreementCurrentApi
from invitations.apis import InvitationListCreateApi, InvitationRevokeApi, InvitationVerifyApi
from jobs.apis import (
    GenerationCancelApi,
    GenerationDetailApi,
    GenerationListCreateApi,
    GenerationPosterApi,
    GenerationVideoApi,
)

app_name = "api"

urlpatterns = [
    path("me/", MeApi.as_view(), name="me"),
    path("agreements/current/", AgreementCurrentApi.as_view(), name="agreement-current"),
    path("invitations/", InvitationListCreateApi.as_view(), name="invitations"),
    path("invitations/verify/", InvitationVerifyApi.as_view(), name="invitation-verify"),
    path("invitations/<int:pk>/revoke/", InvitationRevokeApi.as_view(), name="invitation-revoke"),
    path("generations/", GenerationListCreateApi.as_view(), name="generations"),
    path("generations/<int:pk>/", GenerationDetailApi.as_view(), name="generation-detail"),
    path("generations/<int:pk>/cancel/", GenerationCancelApi.as_view(), name="generation-cancel"),
    path("generations/<int:pk>/video/", GenerationVideoApi.as_view(), name="generation-video"),
    path("generations/<int:pk>/poster/", GenerationPosterApi.as_view(), name="generation-poster"),
]
