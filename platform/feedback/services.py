"""Writes about feedback: file it, say "me too", triage it, answer surveys. Accepted
contributions are credited on the ledger exactly once."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.language import language_for
from accounts.models import User
from accounts.permissions import CREATE_GENERATIONS, REVIEW_OUTPUTS, RUN_PROGRAM
from audit.services import audit_record
from cohorts.models import Cohort
from domain.errors import InvalidTransition, NotAllowed
from domain.text import clean_text
from feedback.errors import AlreadyResponded, TransitionRefused
from feedback.images import MAX_FILES, screenshot_clean
from feedback.models import (
    OUTPUT_TAGS,
    SAFETY_CATEGORIES,
    Attachment,
    FeedbackItem,
    FeedbackKind,
    FeedbackStatus,
    QuestionType,
    Reproduction,
    Severity,
    StatusChange,
    Survey,
    SurveyResponse,
)
from jobs.models import Job, JobStatus
from ledger.services import ledger_credit
from notifications.services import notify

S = FeedbackStatus
# Which status may follow which. Accepted work can be reopened (and accepted again: the
# credit is still paid once).
TRANSITIONS: dict[str, set[str]] = {
    S.NEW: {S.ACKNOWLEDGED, S.INVESTIGATING, S.ACCEPTED, S.DUPLICATE, S.WONT_FIX},
    S.ACKNOWLEDGED: {S.INVESTIGATING, S.ACCEPTED, S.DUPLICATE, S.WONT_FIX},
    S.INVESTIGATING: {S.ACKNOWLEDGED, S.ACCEPTED, S.DUPLICATE, S.WONT_FIX},
    S.ACCEPTED: {S.FIXED, S.INVESTIGATING},
    S.DUPLICATE: {S.INVESTIGATING},
    S.WONT_FIX: {S.INVESTIGATING},
    S.FIXED: {S.INVESTIGATING},
}
CREDITED = (S.ACCEPTED, S.FIXED)
MAX_TEXT = 5000


# A field's errors, by field name: every bad field is reported at once.
_Errors = dict[str, str | ValidationError]


def _require_artist(reporter: User) -> None:
    if not reporter.has_perm(CREATE_GENERATIONS):
        raise NotAllowed(_("Only artists in the program file feedback."))


def _text(
    value: object,
    field: str,
    errors: _Errors,
    *,
    required: bool = True,
    limit: int = MAX_TEXT,
    multiline: bool = True,
) -> str:
    try:
        return clean_text(
            value, field=field, max_length=limit, multiline=multiline, required=required
        )
    except ValidationError as error:
        errors[field] = error.error_dict[field][0]
        return ""


def _title(title: str, errors: _Errors) -> str:
    return _text(title, "title", errors, limit=200, multiline=False)


def _severity(severity: str, errors: _Errors) -> str:
    if severity not in Severity.values:
        errors["severity"] = "Choose low, medium, high or critical."
    return severity


def _own_job(reporter: User, job_id: int | None) -> Job | None:
    if job_id is None:
        return None
    return Job.objects.filter(pk=job_id, artist=reporter).first()


def _file(
    *,
    reporter: User,
    kind: FeedbackKind,
    fields: dict[str, Any],
    errors: _Errors,
    screenshots: Sequence[UploadedFile],
) -> FeedbackItem:
    """Store the item and its screenshots (bug reports only, each checked and re-encoded),
    or raise every error at once: nothing is stored unless everything is valid."""
    if screenshots and kind != FeedbackKind.BUG:
        errors["screenshots"] = "Screenshots can be attached to bug reports."
    if len(screenshots) > MAX_FILES:
        errors["screenshots"] = f"Attach at most {MAX_FILES} screenshots."
    cleaned = []
    if "screenshots" not in errors:
        for upload in screenshots:
            try:
                cleaned.append(screenshot_clean(upload))
            except ValidationError as error:
                errors["screenshots"] = " ".join(error.messages)
                break
    if errors:
        raise ValidationError(errors)
    saved: list[Attachment] = []
    try:
        with transaction.atomic():
            item = FeedbackItem.objects.create(
                reporter=reporter, cohort_id=reporter.cohort_id, kind=kind, **fields
            )
            for number, image in enumerate(cleaned, start=1):
                attachment = Attachment(
                    item=item,
                    content_type=image.content_type,
                    width=image.width,
                    height=image.height,
                    size_bytes=len(image.data),
                )
                attachment.image.save(
                    f"item-{item.pk}-{number}.{image.extension}",
                    ContentFile(image.data),
                    save=False,
                )
                saved.append(attachment)
                attachment.save()
            audit_record(
                actor=reporter, action="feedback.submit", target=item, data={"kind": str(kind)}
            )
    except BaseException:
        for attachment in saved:  # nothing half-written: no orphan files
            if attachment.image.name:
                attachment.image.storage.delete(attachment.image.name)
        raise
    return item


def feedback_output_submit(
    *,
    reporter: User,
    job_id: int | None,
    rating: int | None,
    tags: Sequence[str] | None = (),
    comment: str = "",
    screenshots: Sequence[UploadedFile] = (),
) -> FeedbackItem:
    """File feedback on one of the reporter's own finished videos: a rating from 1 to 5
    (``None``: none given, or not a number), tags from ``OUTPUT_TAGS`` (``None``: what
    was sent is not a list of tags) and an optional comment. ``screenshots`` are refused:
    only bug reports take them. Every bad field is reported at once (ValidationError);
    nothing is stored unless everything is valid."""
    _require_artist(reporter)
    errors: _Errors = {}
    job = _own_job(reporter, job_id)
    if job is None or job.status != JobStatus.SUCCEEDED:
        errors["job"] = "Choose one of your finished videos."
    if rating is None or not 1 <= rating <= 5:
        errors["rating"] = "Rate from 1 to 5."
    if tags is None or any(tag not in OUTPUT_TAGS for tag in tags):
        errors["tags"] = f"Tags come from: {', '.join(OUTPUT_TAGS)}."
    fields = {
        "job": job,
        "rating": rating,
        "tags": sorted(set(tags or ())),
        "comment": _text(comment, "comment", errors, required=False),
        "title": f"Feedback on video #{job.pk}" if job else "Feedback on a video",
    }
    return _file(
        reporter=reporter,
        kind=FeedbackKind.OUTPUT,
        fields=fields,
        errors=errors,
        screenshots=screenshots,
    )


def feedback_bug_submit(
    *,
    reporter: User,
    title: str,
    steps: str,
    expected: str,
    actual: str,
    severity: str,
    screenshots: Sequence[UploadedFile] = (),
) -> FeedbackItem:
    """File a bug report: a title, the steps to reproduce it, what was expected and what
    happened, a severity, and up to ``MAX_FILES`` screenshots (checked by their content
    and re-encoded; stored privately). Every bad field is reported at once
    (ValidationError); nothing is stored unless everything is valid."""
    _require_artist(reporter)
    errors: _Errors = {}
    fields = {"title": _title(title, errors)}
    for field, value in (("steps", steps), ("expected", expected), ("actual", actual)):
        fields[field] = _text(value, field, errors)
    fields["severity"] = _severity(severity, errors)
    return _file(
        reporter=reporter, kind=FeedbackKind.BUG, fields=fields, errors=errors,
        screenshots=screenshots,
    )  # fmt: skip


def feedback_safety_submit(
    *,
    reporter: User,
    title: str,
    severity: str,
    category: str,
    prompts: str,
    job_ids: Sequence[int] | None = (),
    screenshots: Sequence[UploadedFile] = (),
) -> FeedbackItem:
    """File a safety (red-team) finding, seen only by the reporter and staff: a title, a
    severity, a category from ``SAFETY_CATEGORIES``, the prompts involved and, optionally,
    the reporter's own jobs involved (``None``: what was sent can't be read as job
    numbers). ``screenshots`` are refused: only bug reports take them. Every bad field is
    reported at once (ValidationError); nothing is stored unless everything is valid."""
    _require_artist(reporter)
    errors: _Errors = {}
    fields: dict[str, Any] = {
        "title": _title(title, errors),
        "severity": _severity(severity, errors),
    }
    if category not in dict(SAFETY_CATEGORIES):
        errors["category"] = "Choose a category."
    fields["category"] = category
    fields["prompts"] = _text(prompts, "prompts", errors)
    jobs = [_own_job(reporter, job_id) for job_id in job_ids] if job_ids is not None else [None]
    if any(job is None for job in jobs):
        errors["job_ids"] = "List only your own job numbers."
    fields["job_ids"] = sorted({job.pk for job in jobs if job is not None})
    return _file(
        reporter=reporter, kind=FeedbackKind.SAFETY, fields=fields, errors=errors,
        screenshots=screenshots,
    )  # fmt: skip


def feedback_feature_submit(
    *, reporter: User, title: str, comment: str, screenshots: Sequence[UploadedFile] = ()
) -> FeedbackItem:
    """File a feature request (seen by the other artists of the reporter's cohort): a
    title and what they would like, and why. ``screenshots`` are refused: only bug
    reports take them. Every bad field is reported at once (ValidationError); nothing is
    stored unless everything is valid."""
    _require_artist(reporter)
    errors: _Errors = {}
    fields = {"title": _title(title, errors), "comment": _text(comment, "comment", errors)}
    return _file(
        reporter=reporter, kind=FeedbackKind.FEATURE, fields=fields, errors=errors,
        screenshots=screenshots,
    )  # fmt: skip


def read_number(value: object) -> int | None:
    """A whole number sent as a number or as text; ``None`` for anything else."""
    try:
        return int(value)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return None


def read_job_numbers(value: object) -> list[int] | None:
    """Job numbers sent as a list or as text separated by commas or spaces; ``[]`` for
    none, ``None`` when any of them isn't a number."""
    if not value:
        return []
    if isinstance(value, str):
        value = [part for part in value.replace(",", " ").split() if part]
    if not isinstance(value, list):
        return None
    numbers = [read_number(part) for part in value]
    return None if any(n is None for n in numbers) else [n for n in numbers if n is not None]


def _read_tags(value: object) -> list[str] | None:
    if not value:
        return []
    if isinstance(value, str):
        return [value]
    if not isinstance(value, list) or not all(isinstance(tag, str) for tag in value):
        return None
    return value


def feedback_submit(
    *,
    reporter: User,
    kind: str,
    data: Mapping[str, Any],
    screenshots: Sequence[UploadedFile] = (),
) -> FeedbackItem:
    """File feedback of ``kind`` from data as a client sent it (the API's body, JSON or
    form fields): reads each field the way the kind's service takes it and calls that
    service (``feedback_<kind>_submit``), which checks everything. A kind that doesn't
    exist is a ValidationError on ``kind``."""
    _require_artist(reporter)
    if kind not in FeedbackKind.values:
        raise ValidationError(
            {
                "kind": ValidationError(
                    _("Choose output, bug, safety or feature."), code="invalid_choice"
                )
            }
        )

    def choice(field: str) -> str:
        return str(data.get(field) or "")

    if kind == FeedbackKind.OUTPUT:
        return feedback_output_submit(
            reporter=reporter,
            job_id=read_number(data.get("job")),
            rating=read_number(data.get("rating")),
            tags=_read_tags(data.get("tags")),
            comment=data.get("comment", ""),  # any value: clean_text checks it
            screenshots=screenshots,
        )
    if kind == FeedbackKind.BUG:
        return feedback_bug_submit(
            reporter=reporter,
            title=data.get("title", ""),  # any values: clean_text checks them
            steps=data.get("steps", ""),
            expected=data.get("expected", ""),
            actual=data.get("actual", ""),
            severity=choice("severity"),
            screenshots=screenshots,
        )
    if kind == FeedbackKind.SAFETY:
        return feedback_safety_submit(
            reporter=reporter,
            title=data.get("title", ""),  # any values: clean_text checks them
            severity=choice("severity"),
            category=choice("category"),
            prompts=data.get("prompts", ""),
            job_ids=read_job_numbers(data.get("job_ids")),
            screenshots=screenshots,
        )
    return feedback_feature_submit(
        reporter=reporter,
        title=data.get("title", ""),  # any values: clean_text checks them
        comment=data.get("comment", ""),
        screenshots=screenshots,
    )


def feedback_me_too(*, item: FeedbackItem, reporter: User, details: str) -> Reproduction:
    """Add your own reproduction to someone else's bug or feature request."""
    if not reporter.has_perm(CREATE_GENERATIONS):
        raise NotAllowed(_("Only artists in the program can add a reproduction."))
    if item.reporter_id == reporter.pk:
        raise NotAllowed(_("This is your own report; add details by replying to it instead."))
    if item.kind not in (FeedbackKind.BUG, FeedbackKind.FEATURE):
        raise NotAllowed(_('Only bug reports and feature requests take a "me too".'))
    details = clean_text(
        details,
        field="details",
        max_length=MAX_TEXT,
        multiline=True,
        required=True,
        required_message=_("Say how you reproduced it."),
    )
    reproduction, created = Reproduction.objects.get_or_create(
        item=item, reporter=reporter, defaults={"details": details}
    )
    if not created:
        raise ValidationError({"details": _("You already added a reproduction to this item.")})
    return reproduction


def _rate_key(item: FeedbackItem) -> str | None:
    if item.kind in (FeedbackKind.BUG, FeedbackKind.SAFETY):
        return f"{item.kind}:{item.severity}"
    if item.kind == FeedbackKind.FEATURE:
        return "feature"
    return None


def _credit(original: FeedbackItem, reporter_id: int) -> None:
    rate_key = _rate_key(original)
    if rate_key is None:
        return
    artist = User.objects.get(pk=reporter_id)
    # Stored, and read on the artist's ledger: written in their language.
    with translation.override(language_for(artist)):
        reason = _("Accepted %(kind)s #%(number)s: %(title)s") % {
            "kind": original.get_kind_display().lower(),
            "number": original.pk,
            "title": original.title,
        }
    ledger_credit(
        artist=artist,
        source_key=f"feedback:{original.pk}:{reporter_id}",
        rate_key=rate_key,
        reason=reason[:300],
    )


def _credit_original_and_duplicates(original: FeedbackItem) -> None:
    _credit(original, original.reporter_id)
    for reporter_id in original.duplicates.values_list("reporter_id", flat=True).distinct():
        _credit(original, reporter_id)


def feedback_set_status(
    *,
    item: FeedbackItem,
    staff: User,
    status: str,
    reply: str = "",
    reply_public: bool = False,
    fixed_in: str = "",
    duplicate_of: FeedbackItem | None = None,
) -> FeedbackItem:
    """Move an item on the triage board. The reporter is notified and sees the reply.
    The reply is private to the reporter and staff unless ``reply_public`` (only bug
    reports and feature requests, which other artists may see, take a public reply).
    Accepting (or fixing) credits the reporter, and the reporters of its duplicates, once."""
    if not staff.has_perm(REVIEW_OUTPUTS):
        raise NotAllowed(_("Only staff triage feedback."))
    if status not in FeedbackStatus.values:
        raise ValidationError({"status": _("Unknown status.")})
    reply = clean_text(reply, field="reply", max_length=MAX_TEXT, multiline=True)
    fixed_in = clean_text(
        fixed_in,
        field="fixed_in",
        max_length=100,
        required=status == S.FIXED,
        required_message=_("Name the release or model version that fixed it."),
    )
    if status == S.DUPLICATE:
        if duplicate_of is None or duplicate_of.pk == item.pk:
            raise ValidationError({"duplicate_of": _("Name the original item.")})
        if duplicate_of.status == S.DUPLICATE:
            raise ValidationError(
                {"duplicate_of": _("That item is itself a duplicate; name its original.")}
            )
    with transaction.atomic():
        locked = FeedbackItem.objects.select_for_update().get(pk=item.pk)
        if status not in TRANSITIONS[locked.status]:
            raise TransitionRefused(
                _("An item that is %(current)s can't become %(wanted)s.")
                % {
                    "current": locked.get_status_display().lower(),
                    "wanted": FeedbackStatus(status).label.lower(),
                }
            )
        locked.status = status
        locked.staff_reply = reply
        locked.staff_reply_public = (
            reply_public and bool(reply) and locked.kind in (FeedbackKind.BUG, FeedbackKind.FEATURE)
        )
        locked.fixed_in = fixed_in if status == S.FIXED else locked.fixed_in
        locked.duplicate_of = duplicate_of if status == S.DUPLICATE else None
        locked.updated_at = timezone.now()
        locked.save()
        StatusChange.objects.create(
            item=locked,
            status=status,
            reply=locked.staff_reply,
            reply_public=locked.staff_reply_public,
            changed_by=staff,
        )
        if status in CREDITED:
            _credit_original_and_duplicates(locked)
        if status == S.DUPLICATE and duplicate_of is not None and duplicate_of.status in CREDITED:
            _credit(duplicate_of, locked.reporter_id)
        # Only the reporter is told, so a private reply goes to nobody else.
        with translation.override(language_for(locked.reporter)):
            facts = {
                "kind": locked.get_kind_display().lower(),
                "number": locked.pk,
                "status": locked.get_status_display().lower(),
                "reply": locked.staff_reply,
            }
            notify(
                user=locked.reporter,
                message=(
                    _("Your %(kind)s #%(number)s is now %(status)s: %(reply)s")
                    if locked.staff_reply
                    else _("Your %(kind)s #%(number)s is now %(status)s.")
                )
                % facts,
                link=reverse("feedback:detail", kwargs={"pk": locked.pk}),
                email_subject=_("[Vernissage] Update on your feedback"),
            )
        audit_record(
            actor=staff,
            action="feedback.status",
            target=locked,
            data={"status": status, "reply_public": locked.staff_reply_public},
        )
    return locked


def survey_send(*, admin: User, survey: Survey) -> Survey:
    """Open a survey to its cohort and tell every member, in one transaction audited as
    ``survey.send``. Sending twice is a no-op."""
    if not admin.has_perm(RUN_PROGRAM):
        raise NotAllowed(_("Only program admins send surveys."))
    with transaction.atomic():
        locked = Survey.objects.select_for_update().get(pk=survey.pk)
        if locked.sent_at is not None:
            survey.sent_at = locked.sent_at
            return survey
        survey.sent_at = timezone.now()
        survey.save(update_fields=["sent_at"])
        members = survey.cohort.members.filter(is_active=True)
        for member in members:
            with translation.override(language_for(member)):
                notify(
                    user=member,
                    message=_("New survey: %(title)s") % {"title": survey.title},
                    link=reverse("feedback:survey", kwargs={"pk": survey.pk}),
                )
        audit_record(
            actor=admin, action="survey.send", target=survey,
            data={"title": survey.title, "cohort": survey.cohort.name},
        )  # fmt: skip
    return survey


SURVEY_TITLE_MAX = 200


def _survey_fields_clean(
    *, title: str, questions: Any, closes_at: datetime | None
) -> dict[str, Any]:
    errors: dict[str, Any] = {}
    try:
        title = clean_text(title, field="title", max_length=SURVEY_TITLE_MAX, required=True)
    except ValidationError as error:
        errors.update(error.error_dict)
    try:
        questions = survey_questions_validate(questions)
    except ValidationError as error:
        errors["questions"] = error.error_list
    if closes_at is not None and closes_at <= timezone.now():
        errors["closes_at"] = ValidationError(
            _("Choose a closing time in the future."), code="past"
        )
    if errors:
        raise ValidationError(errors)
    return {"title": title, "questions": questions, "closes_at": closes_at}


def survey_create(
    *,
    admin: User,
    title: str,
    cohort: Cohort,
    questions: list[dict[str, Any]],
    closes_at: datetime | None = None,
) -> Survey:
    """Draft a survey for ``cohort``; nobody sees it until it is sent. Raises
    ValidationError per field (``title``, ``questions``, ``closes_at``)."""
    if not admin.has_perm(RUN_PROGRAM):
        raise NotAllowed(_("Only program admins send surveys."))
    fields = _survey_fields_clean(title=title, questions=questions, closes_at=closes_at)
    with transaction.atomic():
        survey = Survey.objects.create(cohort=cohort, created_by=admin, **fields)
        audit_record(
            actor=admin, action="survey.create", target=survey,
            data={"title": survey.title, "cohort": cohort.name, "questions": survey.questions},
        )  # fmt: skip
    return survey


def survey_update(
    *,
    admin: User,
    survey: Survey,
    title: str,
    cohort: Cohort,
    questions: list[dict[str, Any]],
    closes_at: datetime | None = None,
) -> Survey:
    """Edit a survey that was not sent yet. A sent survey is what its cohort answers, so
    it can't change: raises InvalidTransition."""
    if not admin.has_perm(RUN_PROGRAM):
        raise NotAllowed(_("Only program admins send surveys."))
    fields = _survey_fields_clean(title=title, questions=questions, closes_at=closes_at)
    with transaction.atomic():
        locked = Survey.objects.select_for_update().get(pk=survey.pk)
        if locked.sent_at is not None:
            raise InvalidTransition(_("This survey was sent; it can't change any more."))
        for name, value in {**fields, "cohort": cohort}.items():
            setattr(locked, name, value)
        locked.save(update_fields=[*fields, "cohort"])
        audit_record(
            actor=admin, action="survey.update", target=locked,
            data={"title": locked.title, "cohort": cohort.name, "questions": locked.questions},
        )  # fmt: skip
    return locked


def survey_validate_answers(*, survey: Survey, answers: dict[str, Any]) -> dict[str, Any]:
    """Answers keyed by question id, checked against each question's type."""
    errors: dict[str, str] = {}
    clean: dict[str, Any] = {}
    for question in survey.questions:
        qid, kind = str(question["id"]), question["type"]
        value = answers.get(qid)
        if value in (None, "", []):
            if question.get("required", True):
                errors[qid] = "Please answer this question."
            continue
        if kind == QuestionType.CHOICE:
            if value not in question.get("choices", []):
                errors[qid] = "Pick one of the choices."
        elif kind == QuestionType.SCALE:
            try:
                value = int(value)
            except (TypeError, ValueError):
                value = None
            low, high = int(question.get("min", 1)), int(question.get("max", 5))
            if value is None or not low <= value <= high:
                errors[qid] = f"Choose a number from {low} to {high}."
        else:
            try:
                value = clean_text(value, field=qid, max_length=MAX_TEXT, multiline=True)
            except ValidationError as error:
                errors[qid] = " ".join(error.messages)
        clean[qid] = value
    if errors:
        raise ValidationError(errors)
    return clean


def survey_respond(*, survey: Survey, artist: User, answers: dict[str, Any]) -> SurveyResponse:
    """Answer a survey sent to your cohort, once. A completed survey is credited once."""
    if artist.cohort_id != survey.cohort_id or survey.sent_at is None:
        raise NotAllowed(_("This survey wasn't sent to your cohort."))
    if survey.closes_at is not None and survey.closes_at <= timezone.now():
        raise NotAllowed(_("This survey has closed."))
    clean = survey_validate_answers(survey=survey, answers=answers)
    with transaction.atomic():
        if SurveyResponse.objects.filter(survey=survey, artist=artist).exists():
            raise AlreadyResponded(_("You already answered this survey."))
        response = SurveyResponse.objects.create(survey=survey, artist=artist, answers=clean)
        with translation.override(language_for(artist)):
            reason = _("Completed the survey “%(title)s”") % {"title": survey.title}
        ledger_credit(
            artist=artist,
            source_key=f"survey:{survey.pk}:{artist.pk}",
            rate_key="survey",
            reason=reason,
        )
    return response


def survey_questions_validate(questions: Any) -> list[dict[str, Any]]:
    """Check an admin's question list; raises ValidationError naming the question."""
    if not isinstance(questions, list) or not questions:
        raise ValidationError(_("List at least one question."))
    seen: set[str] = set()
    for number, question in enumerate(questions, start=1):
        if (
            not isinstance(question, dict)
            or not str(question.get("id", "")).strip()
            or not str(question.get("text", "")).strip()
        ):
            raise ValidationError(
                _("Question %(number)s needs an id and a text.") % {"number": number}
            )
        if question["id"] in seen:
            raise ValidationError(
                _("Question %(number)s: id %(question)r is used twice.")
                % {"number": number, "question": question["id"]}
            )
        seen.add(question["id"])
        kind = question.get("type")
        if kind not in QuestionType.values:
            raise ValidationError(
                _("Question %(number)s: type must be choice, scale or text.") % {"number": number}
            )
        if kind == QuestionType.CHOICE and (
            not isinstance(question.get("choices"), list) or len(question["choices"]) < 2
        ):
            raise ValidationError(
                _("Question %(number)s: a choice question needs at least two choices.")
                % {"number": number}
            )
        if kind == QuestionType.SCALE and not int(question.get("min", 1)) < int(
            question.get("max", 5)
        ):
            raise ValidationError(
                _("Question %(number)s: min must be below max.") % {"number": number}
            )
    return questions
