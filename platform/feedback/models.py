from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy

from jobs.storage import private_storage


class FeedbackKind(models.TextChoices):
    OUTPUT = "output", gettext_lazy("Feedback on a video")
    BUG = "bug", gettext_lazy("Bug report")
    SAFETY = "safety", gettext_lazy("Safety / red-team finding")
    FEATURE = "feature", gettext_lazy("Feature request")


class Severity(models.TextChoices):
    LOW = "low", gettext_lazy("Low")
    MEDIUM = "medium", gettext_lazy("Medium")
    HIGH = "high", gettext_lazy("High")
    CRITICAL = "critical", gettext_lazy("Critical")


class FeedbackStatus(models.TextChoices):
    NEW = "new", gettext_lazy("New")
    ACKNOWLEDGED = "acknowledged", gettext_lazy("Acknowledged")
    INVESTIGATING = "investigating", gettext_lazy("Investigating")
    ACCEPTED = "accepted", gettext_lazy("Accepted")
    DUPLICATE = "duplicate", gettext_lazy("Duplicate")
    WONT_FIX = "wont_fix", gettext_lazy("Won't fix")
    FIXED = "fixed", gettext_lazy("Fixed")


# What an artist may say about an output; the labels are what people read.
OUTPUT_TAG_LABELS = {
    "prompt_adherence": "Follows the prompt",
    "motion": "Motion",
    "artifacts": "Visual artifacts",
    "faces_hands": "Faces and hands",
    "text": "Text in the video",
    "other": "Something else",
}
OUTPUT_TAGS = list(OUTPUT_TAG_LABELS)
SAFETY_CATEGORIES = [
    ("harmful_content", "Produces harmful or violent content"),
    ("sexual_content", "Produces sexual content"),
    ("real_people", "Reproduces real people"),
    ("copyright", "Reproduces protected works"),
    ("bias", "Biased or stereotyped output"),
    ("policy_bypass", "Bypasses the prompt policy"),
    ("other", "Other"),
]


class FeedbackItem(models.Model):
    """One piece of feedback. Kind-specific fields are blank for other kinds.

    Status moves only through feedback.services.feedback_set_status, which records a
    StatusChange, notifies the reporter and credits accepted contributions.
    """

    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="feedback"
    )
    # The reporter's cohort when they filed it: cohorts are separate waves under their own
    # NDAs, so other artists see it only from the same cohort (feedback_visible_to).
    cohort = models.ForeignKey(
        "cohorts.Cohort", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(max_length=8, choices=FeedbackKind.choices)
    title = models.CharField(max_length=200)
    status = models.CharField(
        max_length=14, choices=FeedbackStatus.choices, default=FeedbackStatus.NEW
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    # Output feedback.
    job = models.ForeignKey(
        "jobs.Job", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    rating = models.PositiveSmallIntegerField(null=True, blank=True)
    tags = models.JSONField(default=list, blank=True)
    comment = models.TextField(blank=True)
    # Bug report.
    steps = models.TextField(blank=True)
    expected = models.TextField(blank=True)
    actual = models.TextField(blank=True)
    # Bug and safety.
    severity = models.CharField(max_length=8, choices=Severity.choices, blank=True)
    # Safety finding.
    category = models.CharField(max_length=20, blank=True)
    prompts = models.TextField(blank=True, help_text="The prompt(s) involved, one per line.")
    job_ids = models.JSONField(
        default=list, blank=True, help_text="Jobs involved (the reporter's own)."
    )
    # Triage. The latest reply; private (the default) means reporter and staff only.
    staff_reply = models.TextField(blank=True)
    staff_reply_public = models.BooleanField(
        default=False, help_text="Other artists who may see the item may read the reply."
    )
    fixed_in = models.CharField(max_length=100, blank=True, help_text="Release or model version.")
    duplicate_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="duplicates"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "kind", "-created_at"])]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="duplicate") | Q(duplicate_of__isnull=False),
                name="feedback_duplicate_names_original",
            ),
            models.CheckConstraint(
                condition=~Q(status="fixed") | ~Q(fixed_in=""), name="feedback_fixed_names_version"
            ),
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5),
                name="feedback_rating_1_5",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.title}"


class Attachment(models.Model):
    """A screenshot, re-encoded on upload (no original bytes are kept) and stored privately."""

    item = models.ForeignKey(FeedbackItem, on_delete=models.CASCADE, related_name="attachments")
    image = models.FileField(storage=private_storage, upload_to="feedback/%Y/%m/")
    content_type = models.CharField(max_length=20)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    size_bytes = models.PositiveIntegerField()

    def __str__(self) -> str:
        return self.image.name or ""


class Reproduction(models.Model):
    """ "Me too": another reporter's own reproduction of an existing item."""

    item = models.ForeignKey(FeedbackItem, on_delete=models.CASCADE, related_name="reproductions")
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    details = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["item", "reporter"], name="one_reproduction_per_reporter"
            )
        ]

    def __str__(self) -> str:
        return f"Me too on {self.item_id}"


class StatusChange(models.Model):
    """What the reporter sees: every status the item went through, with the staff reply
    (others who may see the item read the reply only if it is public)."""

    item = models.ForeignKey(FeedbackItem, on_delete=models.CASCADE, related_name="changes")
    status = models.CharField(max_length=14, choices=FeedbackStatus.choices)
    reply = models.TextField(blank=True)
    # Private (the default): only the reporter and staff read the reply.
    reply_public = models.BooleanField(default=False)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["changed_at", "id"]

    def __str__(self) -> str:
        return f"{self.item_id} → {self.status}"


class QuestionType(models.TextChoices):
    CHOICE = "choice", gettext_lazy("Choice")
    SCALE = "scale", gettext_lazy("Scale")
    TEXT = "text", gettext_lazy("Text")


class Survey(models.Model):
    """A survey program admins define and send to a cohort. ``questions`` is a list of
    {"id", "type": choice|scale|text, "text", "choices"? , "min"?, "max"?, "required"?}."""

    title = models.CharField(max_length=200)
    cohort = models.ForeignKey("cohorts.Cohort", on_delete=models.PROTECT, related_name="surveys")
    questions = models.JSONField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    sent_at = models.DateTimeField(null=True, blank=True)
    closes_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.title


class SurveyResponse(models.Model):
    survey = models.ForeignKey(Survey, on_delete=models.PROTECT, related_name="responses")
    artist = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    answers = models.JSONField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["survey", "artist"], name="one_response_per_artist")
        ]

    def __str__(self) -> str:
        return f"{self.artist_id} on {self.survey_id}"
