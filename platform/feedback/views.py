"""Feedback pages for artists, and the staff triage board. Thin: services decide."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.http import signed_in_user
from accounts.models import User
from domain.errors import DomainError
from feedback.models import (
    OUTPUT_TAGS,
    SAFETY_CATEGORIES,
    FeedbackItem,
    FeedbackKind,
    FeedbackStatus,
    Severity,
)
from feedback.selectors import (
    feedback_history_for,
    feedback_item_for,
    feedback_of,
    feedback_reply_for,
    feedback_visible_to,
    surveys_open_for,
    triage_board,
)
from feedback.services import (
    TRANSITIONS,
    feedback_me_too,
    feedback_set_status,
    feedback_submit,
    survey_respond,
)
from jobs.models import JobStatus
from web.http import error_text

STAFF = "accounts.review_outputs"


def _errors(error: ValidationError) -> dict[str, str]:
    if hasattr(error, "error_dict"):
        return {
            field: " ".join(e.messages[0] for e in errs) for field, errs in error.error_dict.items()
        }
    return {"form": " ".join(error.messages)}


@login_required
def feedback_home(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    open_reports = (
        feedback_visible_to(user=user)
        .exclude(reporter=user)
        .filter(kind__in=[FeedbackKind.BUG, FeedbackKind.FEATURE])
        .exclude(status__in=[FeedbackStatus.DUPLICATE, FeedbackStatus.WONT_FIX])[:50]
    )
    return render(
        request,
        "feedback/home.html",
        {
            "mine": feedback_of(user=user),
            "others": open_reports,
            "surveys": surveys_open_for(artist=user),
        },
    )


@permission_required("accounts.create_generations", raise_exception=True)
def feedback_new(request: HttpRequest, kind: str) -> HttpResponse:
    if kind not in FeedbackKind.values:
        raise Http404
    user = signed_in_user(request)
    values: dict[str, Any] = {"job": request.GET.get("job", "")}
    errors: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        values = {key: request.POST.get(key, "") for key in request.POST}
        values["tags"] = request.POST.getlist("tags")
        try:
            item = feedback_submit(
                reporter=user,
                kind=kind,
                data=values,
                screenshots=request.FILES.getlist("screenshots"),
            )
        except ValidationError as error:
            errors, status = _errors(error), 400
        except DomainError as error:
            errors, status = {"form": error.message}, error.http_status
        else:
            messages.success(request, _("Thank you: your report was filed."))
            return redirect("feedback:detail", pk=item.pk)
    return render(
        request,
        "feedback/new.html",
        {
            "kind": kind,
            "kind_label": FeedbackKind(kind).label,
            "values": values,
            "errors": errors,
            "severities": Severity.choices,
            "categories": SAFETY_CATEGORIES,
            "tags": OUTPUT_TAGS,
            "jobs": user.jobs.filter(status=JobStatus.SUCCEEDED).order_by("-created_at")[:50],
        },
        status=status,
    )


@login_required
def feedback_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    item = feedback_item_for(user=user, pk=pk)
    if item is None:
        raise Http404
    return render(
        request,
        "feedback/detail.html",
        {
            "item": item,
            "reply": feedback_reply_for(user=user, item=item),
            "history": feedback_history_for(user=user, item=item),
            "screenshots": _screenshots(item, user),
        },
    )


def _screenshots(item: FeedbackItem, viewer: User) -> list[dict[str, object]]:
    """Signed links for the reporter and staff (the media door checks again); nothing
    for anyone else who may read the report."""
    from publishing.media import screenshot_url

    if item.reporter_id != viewer.pk and not viewer.has_perm("accounts.review_outputs"):
        return []
    return [
        {"url": screenshot_url(attachment=a, viewer=viewer), "width": a.width, "height": a.height}
        for a in item.attachments.order_by("pk")
    ]


@login_required
@require_POST
def feedback_me_too_view(request: HttpRequest, pk: int) -> HttpResponse:
    item = feedback_item_for(user=signed_in_user(request), pk=pk)
    if item is None:
        raise Http404
    try:
        feedback_me_too(
            item=item, reporter=signed_in_user(request), details=request.POST.get("details", "")
        )
    except (DomainError, ValidationError) as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, _("Added your reproduction."))
    return redirect("feedback:detail", pk=pk)


@login_required
def survey_page(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    survey = surveys_open_for(artist=user).filter(pk=pk).first()
    if survey is None:
        raise Http404
    errors: dict[str, str] = {}
    if request.method == "POST":
        answers = {str(q["id"]): request.POST.get(f"q-{q['id']}", "") for q in survey.questions}
        try:
            survey_respond(survey=survey, artist=user, answers=answers)
        except ValidationError as error:
            errors = _errors(error)
        except DomainError as error:
            errors = {"form": error.message}
        else:
            messages.success(request, _("Thank you for answering."))
            return redirect("feedback:home")
    answered = survey.responses.filter(artist=user).exists()
    # Each question with what was typed and its own error: nothing is lost on an error,
    # and an error names the question, not its internal id.
    questions = [
        {
            **question,
            "value": request.POST.get(f"q-{question['id']}", ""),
            "error": errors.get(str(question["id"])),
        }
        for question in survey.questions
    ]
    return render(
        request,
        "feedback/survey.html",
        {"survey": survey, "questions": questions, "errors": errors, "answered": answered},
    )


@permission_required(STAFF, raise_exception=True)
def board(request: HttpRequest) -> HttpResponse:
    status, kind = request.GET.get("status") or "", request.GET.get("kind") or ""
    items = triage_board(status=status or None, kind=kind or None)[:200]
    return render(
        request,
        "feedback/board.html",
        {
            "items": items,
            "statuses": FeedbackStatus.choices,
            "kinds": FeedbackKind.choices,
            "status": status,
            "kind": kind,
        },
    )


@permission_required(STAFF, raise_exception=True)
def triage(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(FeedbackItem.objects.select_related("reporter"), pk=pk)
    if request.method == "POST":
        original = None
        if request.POST.get("duplicate_of", "").isdigit():
            original = FeedbackItem.objects.filter(pk=int(request.POST["duplicate_of"])).first()
        try:
            feedback_set_status(
                item=item,
                staff=signed_in_user(request),
                status=request.POST.get("status", ""),
                reply=request.POST.get("reply", ""),
                reply_public=request.POST.get("reply_public") == "on",
                fixed_in=request.POST.get("fixed_in", ""),
                duplicate_of=original,
            )
        except (DomainError, ValidationError) as error:
            # Shown again with everything that was typed and each error on its field.
            errors = (
                _errors(error)
                if isinstance(error, ValidationError)
                else {error.field or "form": error.message}
            )
            return _triage_page(request, item, errors=errors, values=request.POST)
        messages.success(request, _("Status changed; the reporter has been told."))
        return redirect("feedback:triage", pk=pk)
    return _triage_page(request, item, errors={}, values={})


def _triage_page(
    request: HttpRequest, item: FeedbackItem, *, errors: dict[str, str], values: Any
) -> HttpResponse:
    allowed = [
        (value, label)
        for value, label in FeedbackStatus.choices
        if value in TRANSITIONS[item.status]
    ]
    return render(
        request,
        "feedback/triage.html",
        {
            "item": item,
            "allowed": allowed,
            "shared_across_cohorts": settings.FEEDBACK_SHARED_ACROSS_COHORTS,
            "errors": errors,
            "values": values,
            "screenshots": _screenshots(item, signed_in_user(request)),
        },
        status=400 if errors else 200,
    )
