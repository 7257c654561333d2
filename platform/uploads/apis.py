from __future__ import annotations

from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.http import signed_in_user
from accounts.scopes import ARTIST_GENERATE, ARTIST_READ
from api.parsers import NestingLimitedJSONParser
from uploads.models import InputImage
from uploads.selectors import input_image_for
from uploads.services import input_image_upload


class InputImageSerializer(serializers.ModelSerializer):
    """An uploaded image as stored: re-encoded (PNG, or JPEG for JPEG uploads), upright,
    sRGB, without metadata. Give its ``id`` to a generation as an input."""

    class Meta:
        model = InputImage
        fields = ["id", "width", "height", "content_type", "size_bytes", "created_at"]


@extend_schema_field(OpenApiTypes.BINARY)  # the file's bytes, not a URL
class _ImageFile(serializers.FileField):
    pass


class UploadCreateSerializer(serializers.Serializer):
    """The request, for the schema: the service reads and checks ``image`` itself."""

    image = _ImageFile(
        help_text=(
            "One PNG, JPEG or WebP image, recognised by its content (not its name or "
            "declared type); at most VERNISSAGE_UPLOAD_MAX_BYTES and "
            "VERNISSAGE_UPLOAD_MAX_PIXELS (8000 on a side). Field error codes: required, "
            "too_large, empty, unsupported_type, not_an_image, corrupt_image, too_many_pixels."
        )
    )


class UploadCreateApi(APIView):
    """Upload an image to use as a generation's input (a start or end frame). It is
    private to you; one that no generation uses is deleted after
    VERNISSAGE_UPLOAD_UNUSED_HOURS."""

    parser_classes = [MultiPartParser, FormParser, NestingLimitedJSONParser]
    token_scopes = {"POST": ARTIST_GENERATE}

    @extend_schema(
        operation_id="uploads_create",
        request={"multipart/form-data": UploadCreateSerializer},
        responses={201: InputImageSerializer},
    )
    def post(self, request: Request) -> Response:
        # Who first, then what: the service refuses a non-artist before reading the body.
        image = input_image_upload(owner=signed_in_user(request), upload=request.FILES.get("image"))
        return Response(InputImageSerializer(image).data, status=201)


class UploadDetailApi(APIView):
    """One of your uploads (anyone else's: 404)."""

    token_scopes = {"GET": ARTIST_READ}

    @extend_schema(operation_id="uploads_retrieve", responses=InputImageSerializer)
    def get(self, request: Request, pk: int) -> Response:
        image = input_image_for(user=signed_in_user(request), image_id=pk)
        if image is None:
            raise Http404
        return Response(InputImageSerializer(image).data)
