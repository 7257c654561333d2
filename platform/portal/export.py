"""Everything an artist may take away about themselves, as one ZIP archive of JSON files."""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone

from accounts.models import User
from agreements.models import AgreementAcceptance
from feedback.models import FeedbackItem, SurveyResponse
from jobs.models import Job, PromptRefusal, Shot
from ledger.selectors import ledger_entries_of
from moderation.models import ReviewDecision, ReviewItem
from notifications.models import Notification
from notifications.selectors import notification_preferences_of
from uploads.models import InputImage
from uploads.selectors import input_images_of


def _dump(value: Any) -> str:
    return json.dumps(value, cls=DjangoJSONEncoder, indent=2, ensure_ascii=False)


def _upload_file_name(image: InputImage) -> str:
    return f"uploads/{image.pk}.{'jpg' if image.content_type == 'image/jpeg' else 'png'}"


def personal_data_archive(*, user: User) -> bytes:
    """profile, agreement acceptances (with the exact texts), prompts and jobs, review
    decisions on their outputs, feedback and survey answers, the ledger, notifications and
    notification choices, and the images they uploaded (as stored: re-encoded)."""
    choices = notification_preferences_of(user=user)
    uploads = list(input_images_of(owner=user))
    files: dict[str, Any] = {
        "profile.json": {
            "email": user.email,
            "full_name": user.full_name,
            "public_credit": user.public_credit,
            "cohort": user.cohort.name if user.cohort else None,
            "date_joined": user.date_joined,
            "role": user.role,
            "language": user.language,
        },
        "agreements.json": [
            {
                "title": a.version.title,
                "text": a.version.body,
                "text_sha256": a.text_sha256,
                "typed_full_name": a.typed_full_name,
                "accepted_at": a.accepted_at,
                "ip_address": a.ip_address,
                "user_agent": a.user_agent,
            }
            for a in AgreementAcceptance.objects.filter(user=user).select_related("version")
        ],
        "jobs.json": list(
            Job.objects.filter(artist=user).values(
                "id",
                "prompt",
                "negative_prompt",
                "duration_seconds",
                "resolution",
                "aspect_ratio",
                "seed",
                "model",
                "mode",
                "start_image",  # its id: the file is in uploads/, as uploads.json names it
                "end_image",
                "extends",
                "variation_of",
                "variation_index",
                "status",
                "created_at",
                "finished_at",
                "error_message",
            )
        ),
        # A storyboard's shots (their start images, by id, are in uploads/ too).
        "shots.json": list(
            Shot.objects.filter(job__artist=user).values(
                "job", "position", "prompt", "duration_seconds", "start_image"
            )
        ),
        "refused_prompts.json": list(
            PromptRefusal.objects.filter(artist=user).values(
                "prompt", "reason_code", "message", "created_at"
            )
        ),
        "reviews.json": [
            {
                "job": item.output.job_id,
                "status": item.status,
                "due_at": item.due_at,
                "appeal_statement": item.appeal_statement,
                "decisions": list(
                    ReviewDecision.objects.filter(item=item).values(
                        "outcome", "stage", "reviewer_role", "reason_code", "note", "created_at"
                    )
                ),
            }
            for item in ReviewItem.objects.filter(artist=user).select_related("output")
        ],
        "feedback.json": list(
            FeedbackItem.objects.filter(reporter=user).values(
                "id",
                "kind",
                "title",
                "status",
                "staff_reply",
                "created_at",
                "rating",
                "tags",
                "comment",
                "steps",
                "expected",
                "actual",
                "severity",
                "category",
                "prompts",
            )
        ),
        "survey_answers.json": list(
            SurveyResponse.objects.filter(artist=user).values(
                "survey__title", "answers", "created_at"
            )
        ),
        "ledger.json": [
            {
                "at": e.created_at,
                "amount": str(e.amount),
                "currency": e.currency,
                "kind": e.kind,
                "reason": e.reason,
            }
            for e in ledger_entries_of(artist=user)
        ],
        "notifications.json": list(
            Notification.objects.filter(user=user).values(
                "kind", "job_id", "message", "link", "created_at", "read_at"
            )
        ),
        "uploads.json": [
            {
                "id": image.pk,
                "file": _upload_file_name(image),
                "width": image.width,
                "height": image.height,
                "content_type": image.content_type,
                "size_bytes": image.size_bytes,
                "sha256": image.sha256,
                "created_at": image.created_at,
                "used_at": image.used_at,
            }
            for image in uploads
        ],
        "notification_preferences.json": {
            "email_on_video_ready": choices.email_on_video_ready,
            "email_on_review_decision": choices.email_on_review_decision,
        },
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(name, _dump(content))
        for image in uploads:
            try:
                with image.file.open("rb") as stored:
                    archive.writestr(_upload_file_name(image), stored.read())
            except OSError:  # its file is gone (expired meanwhile): the row says what it was
                continue
        archive.writestr(
            "README.txt",
            f"Your Vernissage data, exported {timezone.now():%Y-%m-%d %H:%M} UTC. "
            "Each file is JSON. Videos can be downloaded from their pages.\n",
        )
    return buffer.getvalue()
