from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.http import Http404, QueryDict
from django.utils.translation import gettext
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from accounts.http import signed_in_user
from accounts.scopes import ANYONE_READ, ARTIST_GENERATE, ARTIST_READ, STAFF_WRITE
from jobs.estimates import queue_estimate
from jobs.forms import GenerationFilterForm
from jobs.models import MAX_SHOTS, MAX_VARIATIONS, GenerationMode, Job, JobStatus, Shot
from jobs.selectors import (
    ReviewState,
    job_review_state,
    job_variation_ids,
    job_visible_to,
    jobs_of,
)
from jobs.services import job_cancel, job_submit_once
from moderation.selectors import review_for_artist
from moderation.services import review_appeal
from publishing.downloads import DownloadRefusal, download_refusal
from publishing.selectors import publication_active_for, takedown_in_force
from publishing.serializers import PublicationSerializer
from web.media_links import download_url, media_url


class JobSerializer(serializers.ModelSerializer):
    class Meta:
        model = Job
        fields = [
            "id", "status", "progress", "prompt", "negative_prompt", "duration_seconds",
            "resolution", "aspect_ratio", "seed", "model", "num_frames", "width", "height",
            "fps", "remix_of", "created_at", "started_at", "finished_at", "mode", "start_image",
            "end_image", "extends", "variation_of", "variation_index",
        ]  # fmt: skip
        extra_kwargs = {
            "mode": {
                "help_text": (
                    "What the video starts from: text (the prompt alone), image (a start "
                    "image and the prompt), extend (one of the artist's videos, continued "
                    "from its last frame) or storyboard (2-6 shots cut together)."
                )
            },
            "end_image": {
                "help_text": "Mode image, optional: the id of the frame to end on; else null."
            },
            "extends": {
                "help_text": (
                    "Mode extend: the job whose video this one continues; its output holds "
                    "that video and the continuation, joined. Null otherwise."
                )
            },
            "variation_of": {
                "help_text": (
                    "The first job of the submission this variation came from (its seed is "
                    "that job's seed + variation_index); null for a first or only variation."
                )
            },
            "start_image": {
                "help_text": (
                    "Mode image: the id of the start image (an upload of the artist's, "
                    "GET /api/v1/uploads/{id}/); null otherwise."
                )
            },
        }


class JobListItemSerializer(JobSerializer):
    """A job in your list: the job, and where its video stands with the review team."""

    review_state = serializers.SerializerMethodField(
        help_text=(
            "in_review (waiting, being reviewed or appealed), approved, rejected, or none "
            "(no video, so no review). The job's own page has the review in full."
        )
    )

    class Meta(JobSerializer.Meta):
        fields = [*JobSerializer.Meta.fields, "review_state"]

    @extend_schema_field(serializers.ChoiceField(choices=ReviewState.values))
    def get_review_state(self, job: Job) -> str:
        return str(job_review_state(job))


_LIST_FILTERS = [
    OpenApiParameter("status", str, enum=JobStatus.values, description="Only jobs in this status."),
    OpenApiParameter(
        "review", str, enum=ReviewState.values, description="Only jobs in this review state."
    ),
    OpenApiParameter(
        "submitted_from", OpenApiTypes.DATE, description="Submitted on or after this UTC day."
    ),
    OpenApiParameter(
        "submitted_to", OpenApiTypes.DATE, description="Submitted on or before this UTC day."
    ),
]


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


class ReviewHistorySerializer(serializers.Serializer):
    outcome = serializers.CharField()
    stage = serializers.CharField()
    decided_by = serializers.CharField(help_text="The decider's role (or name, if configured).")
    reason_code = serializers.CharField(allow_null=True)
    reason = serializers.CharField(allow_null=True, help_text="The reason's label.")
    note = serializers.CharField(allow_null=True)
    at = serializers.DateTimeField()


class ReviewSerializer(serializers.Serializer):
    status = serializers.CharField()
    stage = serializers.CharField()
    due_at = serializers.DateTimeField()
    decided_at = serializers.DateTimeField(allow_null=True)
    reason_code = serializers.CharField(allow_null=True)
    reason = serializers.CharField(allow_null=True)
    note = serializers.CharField(allow_null=True)
    appealable = serializers.BooleanField()
    history = ReviewHistorySerializer(many=True)


class JobTakedownSerializer(serializers.Serializer):
    publication = serializers.IntegerField(help_text="The publication that was taken down.")
    reason = serializers.CharField(help_text="The review team's reason.")
    taken_down_at = serializers.DateTimeField()


class QueueBasisSerializer(serializers.Serializer):
    method = serializers.ChoiceField(
        choices=["recent_durations", "progress", "none"],
        help_text=(
            "What the estimated finish rests on: the model's recent run times, the job's own "
            "progress (running jobs), or none (no estimate yet: too few recent videos)."
        ),
    )
    history_jobs = serializers.IntegerField(
        help_text="Recent first-attempt successes of this model the estimate is based on."
    )
    history_days = serializers.IntegerField(help_text="How far back those are looked for.")
    typical_seconds = serializers.FloatField(
        allow_null=True, help_text="Expected run time of this job (median pace x its size)."
    )
    workers = serializers.IntegerField(
        help_text="GPU workers serving this job's model that its queue is shared among."
    )
    workers_source = serializers.ChoiceField(
        choices=["live", "setting", "none"],
        help_text=(
            "live: workers with a fresh heartbeat serving the model; setting: "
            "VERNISSAGE_GPU_WORKERS (no worker's heartbeat is known); none: waiting for "
            "capacity (workers are live, but none serves this model)."
        ),
    )


class QueueEstimateSerializer(serializers.Serializer):
    """Where a queued or running job stands (jobs.estimates; method in
    docs/decisions/0024-queue-estimates-in-the-status-answer.md)."""

    position = serializers.IntegerField(
        allow_null=True,
        help_text=(
            "1 = next to start; counts every queued job of its model ahead in the fair "
            "order (anyone's). Null once running."
        ),
    )
    estimated_start = serializers.DateTimeField(
        allow_null=True, help_text="Null while running, or when there is no estimate yet."
    )
    estimated_finish = serializers.DateTimeField(
        allow_null=True, help_text="Null when there is no estimate yet."
    )
    basis = QueueBasisSerializer()


class ShotSerializer(serializers.ModelSerializer):
    class Meta:
        model = Shot
        fields = ["position", "prompt", "duration_seconds", "num_frames", "start_image", "model"]


class JobDetailSerializer(JobSerializer):
    """A job with its error, output (signed, short-lived media URLs for the requester),
    review, current publication and the takedown that bars publishing it, if any."""

    error = serializers.SerializerMethodField()
    output = serializers.SerializerMethodField()
    review = serializers.SerializerMethodField()
    publication = serializers.SerializerMethodField()
    takedown = serializers.SerializerMethodField()
    download_url = serializers.SerializerMethodField()
    download_refusal = serializers.SerializerMethodField()
    queue = serializers.SerializerMethodField(
        help_text="While the job is queued or running: its place and estimated times; else null."
    )
    shots = ShotSerializer(many=True, read_only=True, help_text="Mode storyboard: its shots.")
    variations = serializers.SerializerMethodField(
        help_text="Ids of every job of this job's submission (its variations), in seed order."
    )

    class Meta(JobSerializer.Meta):
        fields = [
            *JobSerializer.Meta.fields, "error", "output", "review", "publication", "takedown",
            "download_url", "download_refusal", "queue", "shots", "variations",
        ]  # fmt: skip

    def get_variations(self, job: Job) -> list[int]:
        return job_variation_ids(job=job)

    def _download_refusal(self, job: Job) -> str | None:
        # Asked by both download fields: once per job.
        known: dict[int, str | None] = self.__dict__.setdefault("_download_refusals", {})
        if job.pk not in known:
            viewer = self.context["request"].user if "request" in self.context else None
            refusal = download_refusal(job=job, viewer=viewer)
            known[job.pk] = None if refusal is None else refusal.value
        return known[job.pk]

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_download_url(self, job: Job) -> str | None:
        """A short-lived link to download the video as a file (the stored, signed MP4),
        for its artist, when the cohort's rules allow it; else null."""
        if self._download_refusal(job) is not None:
            return None
        return download_url(output=job.output, viewer=self.context["request"].user)

    @extend_schema_field(serializers.ChoiceField(choices=DownloadRefusal.values, allow_null=True))
    def get_download_refusal(self, job: Job) -> str | None:
        """Why ``download_url`` is null (publishing.downloads.DownloadRefusal); null
        when it is set."""
        return self._download_refusal(job)

    @extend_schema_field(QueueEstimateSerializer(allow_null=True))
    def get_queue(self, job: Job) -> dict[str, object] | None:
        """Position and estimated times while queued or running (jobs.estimates)."""

        estimate = queue_estimate(job=job)
        return None if estimate is None else QueueEstimateSerializer(estimate).data

    @extend_schema_field(ReviewSerializer(allow_null=True))
    def get_review(self, job: Job) -> dict[str, object] | None:

        review = getattr(getattr(job, "output", None), "review", None)
        return ReviewSerializer(review_for_artist(item=review)).data if review is not None else None

    @extend_schema_field(
        {"type": "object", "nullable": True, "description": "The active publication."}
    )
    def get_publication(self, job: Job) -> dict[str, object] | None:

        output = getattr(job, "output", None)
        publication = publication_active_for(output=output) if output is not None else None
        return PublicationSerializer(publication).data if publication is not None else None

    @extend_schema_field(JobTakedownSerializer(allow_null=True))
    def get_takedown(self, job: Job) -> dict[str, object] | None:
        """Set while a staff takedown bars publishing the video (gallery or link) again."""

        output = getattr(job, "output", None)
        takedown = takedown_in_force(output=output) if output is not None else None
        if takedown is None:
            return None
        return JobTakedownSerializer(
            {
                "publication": takedown.publication_id,
                "reason": takedown.reason,
                "taken_down_at": takedown.taken_down_at,
            }
        ).data

    @extend_schema(responses=JobErrorSerializer(allow_null=True))
    def get_error(self, job: Job) -> dict[str, str] | None:
        if not job.error_code:
            return None
        return {"code": job.error_code, "message": job.error_message}

    @extend_schema_field(OutputSerializer(allow_null=True))
    def get_output(self, job: Job) -> dict[str, object] | None:
        output = getattr(job, "output", None) if job.status == "succeeded" else None
        if output is None:
            return None
        viewer = self.context["request"].user if "request" in self.context else None
        return {
            "video_url": media_url(output=output, kind="video", viewer=viewer),
            "poster_url": media_url(output=output, kind="poster", viewer=viewer),
            "width": output.width,
            "height": output.height,
            "fps": output.fps,
            "duration_seconds": output.duration_seconds,
            "frame_count": output.frame_count,
            "size_bytes": output.size_bytes,
            "sha256": output.sha256,
        }


class ShotCreateSerializer(serializers.Serializer):
    """One shot of a storyboard (shapes only; the service checks the rest). A field it
    does not know is an error (``unknown_field``), not dropped: a misspelt
    ``start_image`` would otherwise render the shot from text alone."""

    prompt = serializers.CharField(allow_blank=True, trim_whitespace=False, max_length=20_000)
    duration_seconds = serializers.IntegerField(
        help_text="One of the cohort's allowed durations (field error not_allowed)."
    )
    start_image = serializers.IntegerField(
        required=False,
        allow_null=True,
        help_text=(
            "Optional: the id of an upload of yours (POST /api/v1/uploads/) the shot starts "
            "from; a model that takes a start image renders that shot."
        ),
    )

    def to_internal_value(self, data: object) -> dict[str, object]:
        if isinstance(data, Mapping):
            unknown = sorted(set(data) - set(self.fields))
            if unknown:
                raise serializers.ValidationError(
                    {
                        api_settings.NON_FIELD_ERRORS_KEY: [
                            serializers.ErrorDetail(
                                gettext(
                                    "Unknown field(s) %(fields)s; a shot has prompt, "
                                    "duration_seconds, start_image."
                                )
                                % {"fields": ", ".join(unknown)},
                                code="unknown_field",
                            )
                        ]
                    }
                )
        return super().to_internal_value(data)


def _shot_errors_flat(detail: Any) -> Any:
    """The shots' shape errors keyed as the service keys a shot's (``shots[1].prompt``,
    ``shots[1]`` for the shot itself), not nested under ``shots``; errors about the list
    itself (not a list) stay on ``shots``."""
    if not isinstance(detail, dict) or "shots" not in detail:
        return detail
    flat = {key: value for key, value in detail.items() if key != "shots"}
    shots = detail["shots"]
    if isinstance(shots, list) and all(isinstance(item, dict) for item in shots):
        shots = dict(enumerate(shots))  # DRF's older list form: {} for a good shot
    if not isinstance(shots, dict):
        flat["shots"] = shots
        return flat
    for index, errors in shots.items():
        if index == api_settings.NON_FIELD_ERRORS_KEY:
            flat["shots"] = errors
        elif isinstance(errors, dict):
            for name, messages in errors.items():
                own = name == api_settings.NON_FIELD_ERRORS_KEY
                flat[f"shots[{index}]" if own else f"shots[{index}].{name}"] = messages
        elif errors:
            flat[f"shots[{index}]"] = errors
    return flat


# Fields each mode requires (the service checks values; this checks presence).
_REQUIRED_BY_MODE = {
    GenerationMode.TEXT.value: ("prompt", "duration_seconds", "resolution", "aspect_ratio"),
    GenerationMode.IMAGE.value: ("prompt", "duration_seconds", "resolution", "aspect_ratio"),
    GenerationMode.EXTEND.value: ("extends",),
    GenerationMode.STORYBOARD.value: ("shots", "resolution", "aspect_ratio"),
}


class JobCreateSerializer(serializers.Serializer):
    """Shapes only; the rules (cohort limits, modes, policy, quota) are the service's.

    ``mode`` says what the video starts from, and which fields it needs:

    - ``text`` (the default, as before modes existed): ``prompt``, ``duration_seconds``,
      ``resolution``, ``aspect_ratio``;
    - ``image``: the same and ``start_image``, optionally ``end_image``;
    - ``extend``: ``extends``, the id of one of your finished videos; ``prompt``,
      ``negative_prompt`` and ``duration_seconds`` default to that video's (a
      storyboard's: its last shot's prompt and length), and its size
      and frame rate are kept (``resolution``/``aspect_ratio``, if sent, must match:
      field error ``must_match_parent``);
    - ``storyboard``: ``shots`` (2-6, no more than your cohort allows), ``resolution``
      and ``aspect_ratio``; no ``prompt`` or ``duration_seconds`` (each shot has its own).

    Any mode takes ``variations`` (1-4, consecutive seeds, each its own job and output,
    each counted against the daily quota). A mode the cohort does not allow answers 403
    ``mode_not_allowed``. A shot's field errors are keyed ``shots[i].<field>``, as is a
    shot's prompt that the prompt policy refuses (``prompt_refused``)."""

    mode = serializers.ChoiceField(
        choices=GenerationMode.choices,
        required=False,
        default=GenerationMode.TEXT.value,
        help_text=(
            "text (default), image, extend or storyboard. Field error codes: invalid_choice, "
            "no_model (no model offered makes it)."
        ),
    )

    prompt = serializers.CharField(
        required=False, allow_blank=True, trim_whitespace=False, max_length=20_000
    )
    negative_prompt = serializers.CharField(
        required=False, allow_blank=True, trim_whitespace=False, max_length=20_000
    )
    duration_seconds = serializers.IntegerField(required=False)
    resolution = serializers.CharField(required=False, max_length=16)
    aspect_ratio = serializers.CharField(required=False, max_length=8)
    seed = serializers.IntegerField(
        required=False,
        allow_null=True,
        help_text="The first variation's seed; variation i renders with seed + i.",
    )
    model = serializers.CharField(required=False, max_length=64)
    remix_of = serializers.IntegerField(required=False, allow_null=True)
    start_image = serializers.IntegerField(
        required=False,
        allow_null=True,
        help_text=(
            "Mode image only: the id of an upload of yours (POST /api/v1/uploads/), or, in a "
            "multipart/form-data request, the image file itself (checked as an upload is). "
            "With mode image and no model named, the first offered model that takes a start "
            "image renders it; a named model must take one (field error mode_not_supported "
            "on model). Field error codes: required, not_found (not an upload of yours), "
            "not_for_mode, ambiguous, and an upload's own (unsupported_type, too_large, "
            "too_many_pixels, ...)."
        ),
    )
    end_image = serializers.IntegerField(
        required=False,
        allow_null=True,
        help_text=(
            "Mode image, optional: the frame the video ends on, as start_image is sent. The "
            "model must be able to end on an image. Field error codes: not_found, "
            "not_for_mode, ambiguous, mode_not_supported (the model named can't end on an "
            "image), no_model (no model offered can), and an upload's own."
        ),
    )
    variations = serializers.IntegerField(
        required=False,
        default=1,
        help_text=(
            f"1-{MAX_VARIATIONS} outputs of consecutive seeds from one submission, made "
            "together or not at all (a 429 quota_exceeded when today's quota can't take "
            "them all). Field error codes: invalid, out_of_range, above_cohort_limit."
        ),
    )
    extends = serializers.IntegerField(
        required=False,
        allow_null=True,
        help_text=(
            "Mode extend: the id of one of your finished jobs. Field error codes: required, "
            "not_found (not a finished video of yours), not_for_mode."
        ),
    )
    shots = ShotCreateSerializer(
        many=True,
        required=False,
        help_text=(
            f"Mode storyboard: 2-{MAX_SHOTS} shots, cut together in order. Field error "
            "codes on shots: required, out_of_range, above_cohort_limit, not_for_mode, "
            "not_a_list; on one shot, keyed shots[i] (unknown_field, invalid) or "
            "shots[i].<field> (prompt: required, max_length, and a refused prompt's "
            "prompt_refused answer names it there; duration_seconds: not_allowed; "
            "start_image: not_found)."
        ),
    )

    def to_internal_value(self, data: object) -> dict[str, object]:
        try:
            return super().to_internal_value(data)
        except serializers.ValidationError as error:
            raise serializers.ValidationError(_shot_errors_flat(error.detail)) from None

    def validate(self, attrs: dict[str, object]) -> dict[str, object]:
        mode = str(attrs.get("mode") or GenerationMode.TEXT.value)
        missing = {
            field: [serializers.ErrorDetail(gettext("This field is required."), code="required")]
            for field in _REQUIRED_BY_MODE.get(mode, ())
            if attrs.get(field) in (None, [])
            and not (field == "shots" and "shots" in self.initial_data)
        }
        if missing:
            raise serializers.ValidationError(missing)
        return attrs


@extend_schema_field(OpenApiTypes.BINARY)  # the file's bytes, or an upload id as text
class _ImageFile(serializers.FileField):
    pass


class JobCreateMultipartSerializer(JobCreateSerializer):
    """The same fields as a form: ``start_image`` and ``end_image`` are image files (or
    upload ids). A storyboard's shots are sent as JSON, naming uploads by id."""

    start_image = _ImageFile(  # type: ignore[assignment]
        required=False,
        help_text=(
            "The start image (PNG, JPEG or WebP; checked, re-encoded and kept privately with "
            "the job), or the id of an upload of yours."
        ),
    )
    end_image = _ImageFile(  # type: ignore[assignment]
        required=False, help_text="The end image, as the start image."
    )
    shots = serializers.CharField(  # type: ignore[assignment]
        required=False,
        help_text=(
            "Mode storyboard: the shots as JSON text, the list the JSON body sends (field "
            "error invalid when it is not JSON)."
        ),
    )


def _shots_from_form(text: object) -> object:
    """A form's ``shots``: the JSON body's list, sent as JSON text in one field."""
    try:
        return json.loads(str(text))
    except (ValueError, RecursionError):  # not JSON, or nested past what Python reads
        raise serializers.ValidationError(
            {
                "shots": [
                    serializers.ErrorDetail(
                        gettext("Send the shots as JSON: a list of objects."), code="invalid"
                    )
                ]
            }
        ) from None


def _job_or_404(request: Request, pk: int) -> Job:
    job = job_visible_to(user=signed_in_user(request), job_id=pk)
    if job is None:
        raise Http404
    return job


class GenerationListCreateApi(GenericAPIView):
    """Your generation jobs, newest first; POST queues a new one."""

    serializer_class = JobSerializer
    token_scopes = {"GET": ARTIST_READ, "POST": ARTIST_GENERATE}

    def get_queryset(self) -> QuerySet[Job]:
        return jobs_of(artist=signed_in_user(self.request))

    @extend_schema(
        operation_id="generations_list",
        parameters=_LIST_FILTERS,
        responses=JobListItemSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        """Filters as on My generations; a bad value answers 400 ``invalid`` naming it."""
        filters = GenerationFilterForm(request.query_params)
        if not filters.is_valid():
            raise DjangoValidationError(filters.errors.as_data())
        jobs = jobs_of(artist=signed_in_user(request), **filters.cleaned_data)
        page = self.paginate_queryset(jobs)
        return self.get_paginated_response(JobListItemSerializer(page, many=True).data)

    @extend_schema(
        request={
            "application/json": JobCreateSerializer,
            "multipart/form-data": JobCreateMultipartSerializer,
        },
        parameters=[
            OpenApiParameter(
                "Idempotency-Key",
                str,
                OpenApiParameter.HEADER,
                required=False,
                description=(
                    "Up to 100 printable characters. Sent again with the same body, the "
                    "answer is the job made the first time (200, nothing queued again); "
                    "with another body, 409 idempotency_key_reused."
                ),
            )
        ],
        responses={201: JobDetailSerializer, 200: JobDetailSerializer},
    )
    def post(self, request: Request) -> Response:
        artist = signed_in_user(request)
        # Images sent as files (multipart) go to the service as files; the rest of the
        # form is checked as JSON would be.
        files = {
            name: request.FILES[name]
            for name in ("start_image", "end_image")
            if name in request.FILES
        }
        sent = request.data
        form = request.data
        if isinstance(form, QueryDict) and (files or "shots" in form):  # a form
            sent = {key: form.get(key) for key in form if key not in files}
            if "shots" in sent:
                sent["shots"] = _shots_from_form(sent["shots"])
        shape = JobCreateSerializer(data=sent)
        shape.is_valid(raise_exception=True)
        data = dict(shape.validated_data)
        for name, upload in files.items():
            data[f"{name}_file"] = upload
        if "shots" in data:
            data["shots"] = [dict(shot) for shot in data["shots"]]
        remix_id = data.pop("remix_of", None)
        remix_of = None
        if remix_id is not None:
            remix_of = job_visible_to(user=artist, job_id=remix_id)
            if remix_of is None:
                raise serializers.ValidationError({"remix_of": [gettext("No such job of yours.")]})
        job, replayed = job_submit_once(
            artist=artist,
            idempotency_key=request.headers.get("Idempotency-Key", ""),
            remix_of=remix_of,
            **data,
        )
        return Response(
            JobDetailSerializer(job, context={"request": request}).data,
            status=200 if replayed else 201,
        )


class GenerationDetailApi(APIView):
    # Staff see any artist's job here: a staff-only read, so review scopes reach it too.
    token_scopes = {"GET": ANYONE_READ}

    @extend_schema(responses=JobDetailSerializer)
    def get(self, request: Request, pk: int) -> Response:
        return Response(
            JobDetailSerializer(_job_or_404(request, pk), context={"request": request}).data
        )


class GenerationCancelApi(APIView):
    """Cancel a job: its artist (generate), or staff (review:write). ``job_cancel``
    checks the same."""

    token_scopes = {"POST": ARTIST_GENERATE | STAFF_WRITE}

    @extend_schema(request=None, responses=JobDetailSerializer)
    def post(self, request: Request, pk: int) -> Response:
        job = job_cancel(job=_job_or_404(request, pk), actor=signed_in_user(request))
        return Response(JobDetailSerializer(job, context={"request": request}).data)


class AppealSerializer(serializers.Serializer):
    statement = serializers.CharField(max_length=2000, help_text="Why the decision should change.")


class GenerationAppealApi(APIView):
    """Appeal a rejection of your output, once. A different reviewer decides it."""

    @extend_schema(request=AppealSerializer, responses=JobDetailSerializer)
    def post(self, request: Request, pk: int) -> Response:

        job = _job_or_404(request, pk)
        review = getattr(getattr(job, "output", None), "review", None)
        if review is None or job.artist_id != signed_in_user(request).pk:
            raise Http404
        data = AppealSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        review_appeal(
            item=review, artist=signed_in_user(request), statement=data.validated_data["statement"]
        )
        fresh = _job_or_404(request, pk)
        return Response(JobDetailSerializer(fresh, context={"request": request}).data)
