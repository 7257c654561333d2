from __future__ import annotations

from django.db.models import QuerySet
from django.http import FileResponse, Http404
from django.urls import reverse
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from jobs.models import Job
from jobs.selectors import job_visible_to, jobs_of
from jobs.services import job_cancel, job_submit
from portal.http import signed_in_user


class JobSerializer(serializers.ModelSerializer):
    class Meta:
        model = Job
        fields = [
            "id", "status", "progress", "prompt", "negative_prompt", "duration_seconds",
            "resolution", "aspect_ratio", "seed", "model", "num_frames", "width", "height",
            "fps", "remix_of", "created_at", "started_at", "finished_at",
        ]  # fmt: skip


class JobErrorSerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()


class OutputSerializer(serializers.Serializer):
    video_url = serializers.CharField()
    poster_url = serializers.CharField()
    width = serializers.IntegerField()
    height = serializers.IntegerField()
    fps = serializers.FloatField()
    duration_seconds = serializers.FloatField()
    frame_count = serializers.IntegerField()
    size_bytes = serializers.IntegerField()
    sha256 = serializers.CharField()


class JobDetailSerializer(JobSerializer):
    error = serializers.SerializerMethodField()
    output = serializers.SerializerMethodField()

    class Meta(JobSerializer.Meta):
        fields = [*JobSerializer.Meta.fields, "error", "output"]

    @extend_schema(responses=JobErrorSerializer(allow_null=True))
    def get_error(self, job: Job) -> dict[str, str] | None:
        if not job.error_code:
            return None
        return {"code": job.error_code, "message": job.error_message}

    def get_output(self, job: Job) -> dict[str, object] | None:
        output = getattr(job, "output", None) if job.status == "succeeded" else None
        if output is None:
            return None
        return {
            "video_url": reverse("api:generation-video", kwargs={"pk": job.pk}),
            "poster_url": reverse("api:generation-poster", kwargs={"pk": job.pk}),
            "width": output.width,
            "height": output.height,
            "fps": output.fps,
            "duration_seconds": output.duration_seconds,
            "frame_count": output.frame_count,
            "size_bytes": output.size_bytes,
            "sha256": output.sha256,
        }


class JobCreateSerializer(serializers.Serializer):
    """Shapes only; the rules (cohort limits, policy, quota) are the service's."""

    prompt = serializers.CharField(allow_blank=True, trim_whitespace=False, max_length=20_000)
    negative_prompt = serializers.CharField(
        required=False, allow_blank=True, trim_whitespace=False, max_length=20_000
    )
    duration_seconds = serializers.IntegerField()
    resolution = serializers.CharField(max_length=16)
    aspect_ratio = serializers.CharField(max_length=8)
    seed = serializers.IntegerField(required=False, allow_null=True)
    model = serializers.CharField(required=False, max_length=64)
    remix_of = serializers.IntegerField(required=False, allow_null=True)


def _job_or_404(request: Request, pk: int) -> Job:
    job = job_visible_to(user=signed_in_user(request), job_id=pk)
    if job is None:
        raise Http404
    return job


class GenerationListCreateApi(GenericAPIView):
    """Your generation jobs, newest first; POST queues a new one."""

    serializer_class = JobSerializer

    def get_queryset(self) -> QuerySet[Job]:
        return jobs_of(artist=signed_in_user(self.request))

    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(JobSerializer(page, many=True).data)

    @extend_schema(request=JobCreateSerializer, responses={201: JobDetailSerializer})
    def post(self, request: Request) -> Response:
        artist = signed_in_user(request)
        shape = JobCreateSerializer(data=request.data)
        shape.is_valid(raise_exception=True)
        data = dict(shape.validated_data)
        remix_id = data.pop("remix_of", None)
        remix_of = None
        if remix_id is not None:
            remix_of = job_visible_to(user=artist, job_id=remix_id)
            if remix_of is None:
                raise serializers.ValidationError({"remix_of": ["No such job of yours."]})
        job = job_submit(artist=artist, remix_of=remix_of, **data)
        return Response(JobDetailSerializer(job).data, status=201)


class GenerationDetailApi(APIView):
    @extend_schema(responses=JobDetailSerializer)
    def get(self, request: Request, pk: int) -> Response:
        return Response(JobDetailSerializer(_job_or_404(request, pk)).data)


class GenerationCancelApi(APIView):
    @extend_schema(request=None, responses=JobDetailSerializer)
    def post(self, request: Request, pk: int) -> Response:
        job = job_cancel(job=_job_or_404(request, pk), actor=signed_in_user(request))
        return Response(JobDetailSerializer(job).data)


class _GenerationFileApi(APIView):
    """Private media: only the job's artist and staff, checked on every request."""

    field = "video"
    content_type = "video/mp4"

    @extend_schema(responses={(200, "application/octet-stream"): bytes})
    def get(self, request: Request, pk: int) -> FileResponse:
        job = _job_or_404(request, pk)
        output = getattr(job, "output", None)
        if output is None:
            raise Http404
        file = getattr(output, self.field)
        response = FileResponse(file.open("rb"), content_type=self.content_type)
        response["Cache-Control"] = "private, no-store"
        response["X-Content-Type-Options"] = "nosniff"
        return response


class GenerationVideoApi(_GenerationFileApi):
    field = "video"
    content_type = "video/mp4"


class GenerationPosterApi(_GenerationFileApi):
    field = "poster"
    content_type = "image/jpeg"
