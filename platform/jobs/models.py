from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy

# Re-exported: a job's mode is a jobs concept; cohorts (below jobs) lists the allowed ones.
from cohorts.options import GenerationMode as GenerationMode
from jobs.storage import private_storage
from web.context import current_request_id


class JobStatus(models.TextChoices):
    QUEUED = "queued", gettext_lazy("Queued")
    RUNNING = "running", gettext_lazy("Running")
    SUCCEEDED = "succeeded", gettext_lazy("Succeeded")
    FAILED = "failed", gettext_lazy("Failed")
    CANCELED = "canceled", gettext_lazy("Canceled")


# One submission asks for 1 to 4 variations (a cohort may allow fewer).
MAX_VARIATIONS = 4

# A storyboard has 2 to 6 shots (a cohort may allow fewer: Cohort.max_shots).
MIN_SHOTS = 2
MAX_SHOTS = 6

TERMINAL = (JobStatus.SUCCEEDED, JobStatus.FAILED, JobStatus.CANCELED)


class AspectRatio(models.TextChoices):
    LANDSCAPE = "16:9", gettext_lazy("16:9 (landscape)")
    PORTRAIT = "9:16", gettext_lazy("9:16 (portrait)")
    SQUARE = "1:1", gettext_lazy("1:1 (square)")


class Job(models.Model):
    """One generation request and its life: queued → running → succeeded | failed | canceled.

    Transitions happen only in jobs.services (and the worker side in jobs.worker), each a
    conditional UPDATE on the expected status. ``attempt`` counts claims and fences a
    stale worker: its writes name the attempt it claimed, so they miss once the job was
    re-queued. ``lease_expires_at`` is renewed by the running worker's heartbeat.
    """

    artist = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="jobs"
    )
    cohort = models.ForeignKey("cohorts.Cohort", on_delete=models.PROTECT, related_name="jobs")
    remix_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # What the video starts from (issue 17; decisions 0033, 0034): text alone, a start
    # image (an upload of the artist's, kept while a job names it), one of the artist's
    # outputs to continue (extend), or a list of shots (storyboard, ``Shot``).
    mode = models.CharField(
        max_length=12, choices=GenerationMode.choices, default=GenerationMode.TEXT
    )
    start_image = models.ForeignKey(
        "uploads.InputImage",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="jobs_started",
    )
    # Image mode only: the frame the video should end on (optional).
    end_image = models.ForeignKey(
        "uploads.InputImage",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="jobs_ended",
    )
    # Variations (1-4 per submission, consecutive seeds): every variation is a job of its
    # own (own output, own review); the second and later name the first, which names none.
    variation_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="variations"
    )
    variation_index = models.PositiveSmallIntegerField(
        default=0, help_text="0 for the first (or only) variation of a submission."
    )
    variation_count = models.PositiveSmallIntegerField(
        default=1, help_text="How many variations its submission asked for (1-4)."
    )
    # Mode extend: the job whose output this one continues from its last frame. The
    # parent is only read: a cancel or failure here leaves it as it was.
    extends = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="extensions"
    )

    # What the artist asked for.
    prompt = models.TextField()
    negative_prompt = models.TextField(blank=True)
    duration_seconds = models.PositiveSmallIntegerField()
    resolution = models.CharField(max_length=8)
    aspect_ratio = models.CharField(max_length=5, choices=AspectRatio.choices)
    seed = models.BigIntegerField()
    model = models.CharField(max_length=64)

    # What the pipeline is asked to do (derived once, at submit).
    num_frames = models.PositiveIntegerField()
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    fps = models.PositiveSmallIntegerField()
    steps = models.PositiveSmallIntegerField()
    guidance = models.FloatField()

    status = models.CharField(max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED)
    progress = models.FloatField(default=0.0)
    attempt = models.PositiveSmallIntegerField(default=0)
    max_attempts = models.PositiveSmallIntegerField(default=3)
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    worker = models.CharField(max_length=200, blank=True)
    pipeline_loaded_at = models.DateTimeField(
        null=True, blank=True, help_text="When the worker that ran this loaded its pipeline."
    )
    cancel_requested_at = models.DateTimeField(null=True, blank=True)

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    published_to_queue_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    first_step_at = models.DateTimeField(
        null=True, blank=True, help_text="When the first denoising step of the last attempt ended."
    )
    rendered_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When the render of the last attempt to get that far ended (progress 0.95); "
        "its worker may start its next render from then on (post-processing overlaps).",
    )
    finished_at = models.DateTimeField(null=True, blank=True)

    # For the artist, in plain words; tracebacks go to the logs only.
    error_code = models.CharField(max_length=40, blank=True)
    error_message = models.CharField(max_length=500, blank=True)
    quota_refunded = models.BooleanField(default=False)
    # The id of the request that submitted the job (decision 0015): the worker logs under
    # it too, so one grep follows the job from the API to the GPU.
    request_id = models.CharField(
        max_length=64, blank=True, default=current_request_id, editable=False
    )

    # A resubmission with the same key (Back + Generate, a client's retry) is the same job
    # (jobs.services.job_submit_once); the fingerprint tells a replay from a key misused
    # for another request.
    idempotency_key = models.CharField(max_length=100, blank=True, editable=False)
    request_fingerprint = models.CharField(max_length=64, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["artist", "-created_at"]),
            models.Index(fields=["status", "lease_expires_at"]),
            # The queue estimate on every status poll (jobs.estimates, decision 0024): the
            # queued jobs ahead in order, and a model's latest first-attempt successes.
            models.Index(
                fields=["created_at", "id"],
                name="job_queued_order",
                condition=Q(status="queued"),
            ),
            models.Index(
                fields=["model", "-finished_at"],
                name="job_model_successes",
                condition=Q(status="succeeded", attempt=1),
            ),
            # Metrics: jobs that ended recently (observability.metrics).
            models.Index(
                fields=["finished_at"],
                name="job_finished_at",
                condition=Q(finished_at__isnull=False),
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["artist", "idempotency_key"],
                condition=~Q(idempotency_key=""),
                name="job_idempotency_key_once_per_artist",
            ),
            models.CheckConstraint(
                condition=Q(status__in=JobStatus.values), name="job_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(progress__gte=0.0, progress__lte=1.0), name="job_progress_0_1"
            ),
            models.CheckConstraint(
                condition=~Q(status="running")
                | Q(lease_expires_at__isnull=False, started_at__isnull=False, attempt__gte=1),
                name="job_running_has_lease",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["queued", "running"]) | Q(finished_at__isnull=False),
                name="job_terminal_has_finish_time",
            ),
            models.CheckConstraint(
                condition=~Q(status="succeeded") | Q(progress=1.0), name="job_succeeded_is_complete"
            ),
            models.CheckConstraint(
                condition=~Q(status="failed") | ~Q(error_code=""), name="job_failed_has_reason"
            ),
            models.CheckConstraint(
                condition=Q(attempt__lte=models.F("max_attempts")), name="job_attempts_capped"
            ),
            models.CheckConstraint(
                condition=Q(mode__in=GenerationMode.values), name="job_mode_valid"
            ),
            # An image job has its start image; no other mode takes one (yet).
            models.CheckConstraint(
                condition=Q(mode=GenerationMode.IMAGE, start_image__isnull=False)
                | (~Q(mode=GenerationMode.IMAGE) & Q(start_image__isnull=True)),
                name="job_start_image_iff_image_mode",
            ),
            models.CheckConstraint(
                condition=Q(end_image__isnull=True) | Q(mode=GenerationMode.IMAGE),
                name="job_end_image_only_in_image_mode",
            ),
            models.CheckConstraint(
                condition=(
                    Q(variation_of__isnull=True, variation_index=0)
                    | Q(variation_of__isnull=False, variation_index__gte=1)
                )
                & Q(variation_index__lt=models.F("variation_count"), variation_count__lte=4),
                name="job_variation_index_matches",
            ),
            # An extend job names its parent; no other mode does.
            models.CheckConstraint(
                condition=Q(mode=GenerationMode.EXTEND, extends__isnull=False)
                | (~Q(mode=GenerationMode.EXTEND) & Q(extends__isnull=True)),
                name="job_extends_iff_extend_mode",
            ),
        ]

    def __str__(self) -> str:
        return f"Job {self.pk} ({self.status})"

    @property
    def is_terminal(self) -> bool:
        return self.status in TERMINAL


class Shot(models.Model):
    """One shot of a storyboard job (mode storyboard): its prompt, length and optional
    start image, in order. The worker renders the shots one after another into one job's
    progress and cuts them together with ffmpeg (``jobs.worker``, decision 0034)."""

    job = models.ForeignKey(Job, on_delete=models.CASCADE, related_name="shots")
    position = models.PositiveSmallIntegerField(help_text="0 for the first shot.")
    prompt = models.TextField()
    duration_seconds = models.PositiveSmallIntegerField()
    num_frames = models.PositiveIntegerField()
    start_image = models.ForeignKey(
        "uploads.InputImage",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="shots_started",
    )
    # The model that renders this shot: the job's text model, or for a shot with a start
    # image a model that takes one. The job's ``model`` (its queue) is its first shot's.
    model = models.CharField(max_length=64)

    class Meta:
        ordering = ["job", "position"]
        constraints = [
            models.UniqueConstraint(fields=["job", "position"], name="shot_position_once"),
            models.CheckConstraint(
                condition=Q(position__lt=MAX_SHOTS), name="shot_position_below_max"
            ),
        ]

    def __str__(self) -> str:
        return f"Shot {self.position + 1} of job {self.job_id}"


class Output(models.Model):
    """The video a job produced: exactly one per succeeded job, never more."""

    job = models.OneToOneField(Job, on_delete=models.PROTECT, related_name="output")
    video = models.FileField(storage=private_storage, upload_to="outputs/%Y/%m/%d/")
    poster = models.FileField(storage=private_storage, upload_to="outputs/%Y/%m/%d/")
    # A strip of evenly spaced frames side by side in one JPEG, for the review queue and
    # the review player's scrubbing (issue 18): ``filmstrip_frames`` tiles, each
    # ``filmstrip_tile_width`` pixels wide. Blank (0, 0) for outputs made before it.
    filmstrip = models.FileField(storage=private_storage, upload_to="outputs/%Y/%m/%d/", blank=True)
    filmstrip_frames = models.PositiveSmallIntegerField(default=0)
    filmstrip_tile_width = models.PositiveSmallIntegerField(default=0)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    fps = models.FloatField()
    frame_count = models.PositiveIntegerField()
    duration_seconds = models.FloatField()
    codec = models.CharField(max_length=20)
    size_bytes = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"Output of job {self.job_id}"


class PromptRefusal(models.Model):
    """A prompt the policy refused: kept, with its reason, for the artist and for review."""

    artist = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="prompt_refusals"
    )
    prompt = models.TextField()
    reason_code = models.CharField(max_length=40)
    message = models.CharField(max_length=300)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.reason_code}: {self.prompt[:40]}"


class WorkerHeartbeat(models.Model):
    """A Celery worker process saying it is alive: written when it is ready, every few
    seconds after that by a background thread, and with the job it runs at the start and
    end of each job. Deleted when the worker shuts down cleanly; a killed worker's row
    stays, ageing, which is what the ``vernissage_worker_heartbeat_age_seconds`` alert
    is for. Nothing reads these rows to make a decision about jobs (the lease does that).
    """

    # jobs.heartbeats.worker_name(): host:pid, as in Job.worker.
    name = models.CharField(max_length=200, unique=True)
    queues = models.CharField(max_length=300, blank=True)
    started_at = models.DateTimeField()
    last_seen_at = models.DateTimeField()
    # The job this process is running (no foreign key: a heartbeat never locks a job).
    job_id = models.BigIntegerField(null=True, blank=True)
    # Its render clock (jobs.heartbeats.RenderClock), written with each beat: the share of
    # recent wall time spent rendering, and the gap between one render's end and the next
    # one's start with a backlog (median, p95; empty before the first such gap).
    busy_ratio = models.FloatField(null=True, blank=True)
    render_gap_p50_seconds = models.FloatField(null=True, blank=True)
    render_gap_p95_seconds = models.FloatField(null=True, blank=True)

    class Meta:
        # Made by the observability app (decision 0015); moved here in issue 15.
        db_table = "observability_workerheartbeat"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
