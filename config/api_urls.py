"""Every endpoint under /api/v1/."""

from django.http import HttpRequest, JsonResponse
from django.urls import path, re_path
from django.views.decorators.csrf import csrf_exempt

from agreements.apis import AgreementCurrentApi
from feedback.apis import (
    FeedbackDetailApi,
    FeedbackListCreateApi,
    FeedbackMeTooApi,
    FeedbackStatusApi,
)
from invitations.apis import InvitationListCreateApi, InvitationRevokeApi, InvitationVerifyApi
from ledger.apis import LedgerApi, RateCardApi
from moderation.apis import (
    ReviewApproveApi,
    ReviewClaimApi,
    ReviewItemApi,
    ReviewNoteApi,
    ReviewQueueApi,
    ReviewRejectApi,
)
from moderation.second_opinion_apis import (
    SecondOpinionApi,
    SecondOpinionApproveApi,
    SecondOpinionClaimApi,
    SecondOpinionQueueApi,
    SecondOpinionRejectApi,
)
from notifications.apis import (
    NotificationListApi,
    NotificationPreferenceApi,
    NotificationReadApi,
)
from portal.apis import MeApi
from publishing.apis import (
    GalleryApi,
    GenerationDownloadApi,
    GenerationPublishApi,
    GenerationUnpublishApi,
    PublicationLiftTakedownApi,
    PublicationTakedownApi,
)
from studio.apis import (
    GenerationAppealApi,
    GenerationCancelApi,
    GenerationDetailApi,
    GenerationListCreateApi,
)
from uploads.apis import UploadCreateApi, UploadDetailApi

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
    path("generations/<int:pk>/appeal/", GenerationAppealApi.as_view(), name="generation-appeal"),
    path(
        "generations/<int:pk>/download/",
        GenerationDownloadApi.as_view(),
        name="generation-download",
    ),
    path(
        "generations/<int:pk>/publish/", GenerationPublishApi.as_view(), name="generation-publish"
    ),
    path(
        "generations/<int:pk>/unpublish/",
        GenerationUnpublishApi.as_view(),
        name="generation-unpublish",
    ),
    path("uploads/", UploadCreateApi.as_view(), name="uploads"),
    path("uploads/<int:pk>/", UploadDetailApi.as_view(), name="upload-detail"),
    path("review/queue/", ReviewQueueApi.as_view(), name="review-queue"),
    path("review/<int:pk>/", ReviewItemApi.as_view(), name="review-item"),
    path("review/<int:pk>/notes/", ReviewNoteApi.as_view(), name="review-notes"),
    path("review/<int:pk>/claim/", ReviewClaimApi.as_view(), name="review-claim"),
    path("review/<int:pk>/approve/", ReviewApproveApi.as_view(), name="review-approve"),
    path("review/<int:pk>/reject/", ReviewRejectApi.as_view(), name="review-reject"),
    # Second opinions, blind (decision 0036).
    path("review/second-opinions/", SecondOpinionQueueApi.as_view(), name="second-opinion-queue"),
    path(
        "review/second-opinions/<int:pk>/",
        SecondOpinionApi.as_view(),
        name="second-opinion",
    ),
    path(
        "review/second-opinions/<int:pk>/claim/",
        SecondOpinionClaimApi.as_view(),
        name="second-opinion-claim",
    ),
    path(
        "review/second-opinions/<int:pk>/approve/",
        SecondOpinionApproveApi.as_view(),
        name="second-opinion-approve",
    ),
    path(
        "review/second-opinions/<int:pk>/reject/",
        SecondOpinionRejectApi.as_view(),
        name="second-opinion-reject",
    ),
    path(
        "publications/<int:pk>/takedown/",
        PublicationTakedownApi.as_view(),
        name="publication-takedown",
    ),
    path(
        "publications/<int:pk>/lift-takedown/",
        PublicationLiftTakedownApi.as_view(),
        name="publication-lift-takedown",
    ),
    path("gallery/", GalleryApi.as_view(), name="gallery"),
    path("feedback/", FeedbackListCreateApi.as_view(), name="feedback"),
    path("feedback/<int:pk>/", FeedbackDetailApi.as_view(), name="feedback-detail"),
    path("feedback/<int:pk>/me-too/", FeedbackMeTooApi.as_view(), name="feedback-me-too"),
    path("feedback/<int:pk>/status/", FeedbackStatusApi.as_view(), name="feedback-status"),
    path("ledger/", LedgerApi.as_view(), name="ledger"),
    path("rate-card/", RateCardApi.as_view(), name="rate-card"),
    path("notifications/", NotificationListApi.as_view(), name="notifications"),
    path("notifications/<int:pk>/read/", NotificationReadApi.as_view(), name="notification-read"),
    path(
        "notification-preferences/",
        NotificationPreferenceApi.as_view(),
        name="notification-preferences",
    ),
]


@csrf_exempt  # it changes nothing; a POST deserves the same JSON 404
def _no_such_endpoint(request: HttpRequest) -> JsonResponse:
    """Under /api/v1/, a path that matches nothing (``generations/abc/``) answers in the
    API's error format, not with the HTML 404 page."""
    return JsonResponse({"code": "not_found", "detail": "No such API endpoint."}, status=404)


# Last: only paths ending in "/", so APPEND_SLASH still redirects "me" to "me/".
urlpatterns.append(re_path(r"^.*/$", _no_such_endpoint, name="not-found"))
