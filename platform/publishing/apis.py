from __future__ import annotations

from django.http import Http404, HttpResponseRedirect
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.generics import GenericAPIView, get_object_or_404
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.http import signed_in_user
from accounts.scopes import ARTIST_READ, STAFF_WRITE
from accounts.selectors import user_public_byline
from api.permissions import IsReviewer
from jobs.models import Output
from jobs.selectors import job_visible_to
from publishing.downloads import download_refusal
from publishing.errors import DownloadNotAllowed
from publishing.models import Publication, Takedown
from publishing.selectors import gallery_publications, publication_active_for
from publishing.serializers import PublicationSerializer
from publishing.services import (
    publication_create,
    publication_takedown,
    publication_takedown_lift,
    publication_unpublish,
)
from web.media_links import download_url, media_url


class TakedownRecordSerializer(serializers.ModelSerializer):
    """A takedown as staff and the artist see it: what was taken down, why, and whether
    it still bars publishing the video again."""

    job_id = serializers.IntegerField(source="output.job_id")
    in_force = serializers.BooleanField()

    class Meta:
        model = Takedown
        fields = [
            "id", "publication", "job_id", "reason", "taken_down_at", "in_force", "lifted_at",
            "lift_reason",
        ]  # fmt: skip


class GalleryItemSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField(help_text="The prompt.")
    artist = serializers.CharField(
        help_text="Byline: the artist's chosen public credit, or a neutral label."
    )
    published_at = serializers.DateTimeField()
    video_url = serializers.CharField()
    poster_url = serializers.CharField()
    width = serializers.IntegerField()
    height = serializers.IntegerField()
    duration_seconds = serializers.FloatField()
    sha256 = serializers.CharField()


class GalleryApi(GenericAPIView):
    """Public: approved, published videos only, newest first, with artist credit."""

    permission_classes = [AllowAny]
    authentication_classes: list = []
    serializer_class = GalleryItemSerializer

    @extend_schema(responses=GalleryItemSerializer(many=True))  # paginated
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(gallery_publications())
        rows = []
        for publication in page or []:
            output = publication.output
            rows.append(
                {
                    "id": publication.pk,
                    "title": output.job.prompt,
                    "artist": user_public_byline(user=output.job.artist),
                    "published_at": publication.published_at,
                    "video_url": media_url(output=output, kind="video", viewer=None),
                    "poster_url": media_url(output=output, kind="poster", viewer=None),
                    "width": output.width,
                    "height": output.height,
                    "duration_seconds": output.duration_seconds,
                    "sha256": output.sha256,
                }
            )
        return self.get_paginated_response(GalleryItemSerializer(rows, many=True).data)


class PublishSerializer(serializers.Serializer):
    visibility = serializers.ChoiceField(choices=["gallery", "link"])


def _own_output(request: Request, pk: int) -> Output:
    user = signed_in_user(request)
    job = job_visible_to(user=user, job_id=pk)
    if job is None or job.artist_id != user.pk:
        raise Http404
    output = getattr(job, "output", None)
    if output is None:
        raise Http404
    return output


class GenerationPublishApi(APIView):
    @extend_schema(request=PublishSerializer, responses={201: PublicationSerializer})
    def post(self, request: Request, pk: int) -> Response:
        output = _own_output(request, pk)
        data = PublishSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        publication = publication_create(
            output=output,
            artist=signed_in_user(request),
            visibility=data.validated_data["visibility"],
        )
        return Response(PublicationSerializer(publication).data, status=201)


class GenerationUnpublishApi(APIView):
    @extend_schema(request=None, responses=PublicationSerializer)
    def post(self, request: Request, pk: int) -> Response:
        publication = publication_active_for(output=_own_output(request, pk))
        if publication is None:
            raise Http404
        publication = publication_unpublish(publication=publication, artist=signed_in_user(request))
        return Response(PublicationSerializer(publication).data)


class GenerationDownloadApi(APIView):
    """Download the video of your job: 302 to a short-lived link that sends the stored,
    signed MP4 as a file (fetch it with the same token). Refused with
    ``download_not_allowed`` and a ``reason_code``: 403 for who asks (``not_owner``,
    ``account_suspended``, ``downloads_off``), 409 for the video's state (``not_ready``,
    ``review_pending``, ``not_approved``, ``taken_down``). Someone else's job is a 404."""

    token_scopes = {"GET": ARTIST_READ}

    @extend_schema(
        request=None,
        responses={
            302: OpenApiResponse(
                description="`Location`: the download link (lives MEDIA_URL_TTL_SECONDS)."
            ),
            409: OpenApiResponse(
                response={"$ref": "#/components/schemas/Error"},
                description="`download_not_allowed`: not possible in the video's state; "
                "see `reason_code`.",
            ),
        },
    )
    def get(self, request: Request, pk: int) -> HttpResponseRedirect:
        viewer = signed_in_user(request)
        job = job_visible_to(user=viewer, job_id=pk)
        if job is None:
            raise Http404
        refusal = download_refusal(job=job, viewer=viewer)
        if refusal is not None:
            raise DownloadNotAllowed(refusal)
        return HttpResponseRedirect(download_url(output=job.output, viewer=viewer))


class TakedownSerializer(serializers.Serializer):
    reason = serializers.CharField()


class PublicationTakedownApi(APIView):
    permission_classes = [*APIView.permission_classes, IsReviewer]
    token_scopes = {"POST": STAFF_WRITE}

    @extend_schema(request=TakedownSerializer, responses=PublicationSerializer)
    def post(self, request: Request, pk: int) -> Response:
        data = TakedownSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        publication = publication_takedown(
            publication=get_object_or_404(Publication, pk=pk),
            staff=signed_in_user(request),
            reason=data.validated_data["reason"],
        )
        return Response(PublicationSerializer(publication).data)


class LiftTakedownSerializer(serializers.Serializer):
    reason = serializers.CharField(help_text="Why the video may be published again.")


class PublicationLiftTakedownApi(APIView):
    """Staff: lift the takedown of this publication, so its artist may publish the video
    again. 409 ``invalid_transition`` if it was already lifted."""

    permission_classes = [*APIView.permission_classes, IsReviewer]
    token_scopes = {"POST": STAFF_WRITE}

    @extend_schema(request=LiftTakedownSerializer, responses=TakedownRecordSerializer)
    def post(self, request: Request, pk: int) -> Response:
        data = LiftTakedownSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        takedown = get_object_or_404(Takedown.objects.select_related("output"), publication_id=pk)
        lifted = publication_takedown_lift(
            takedown=takedown, staff=signed_in_user(request), reason=data.validated_data["reason"]
        )
        return Response(TakedownRecordSerializer(lifted).data)
