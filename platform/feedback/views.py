"""Feedback pages for artists, and the staff triage board. Thin: services decide."""

from __future__ import annotations

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
from accounts.permissions import CREATE_GENERATIONS, REVIEW_OUTPUTS
from domain.errors import DomainError
from feedback.forms import FEEDBACK_FORMS, MeTooForm, SurveyForm, TriageForm
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
    survey_respond,
)
from jobs.models import JobStatus
from web.http import error_text
from web.media_links import screenshot_url
from web.refusals import errors_by_field, refusal_to_form, typed_values


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


@permission_required(CREATE_GENERATIONS, raise_exception=True)
def feedback_new(request: HttpRequest, kind: str) -> HttpResponse:
    if kind not in FeedbackKind.values:
        raise Http404
    user = signed_in_user(request)
    form_class = FEEDBACK_FORMS[kind]
    form = form_class(initial={"job": request.GET.get("job", "")})
    status = 200
    if request.method == "POST":
        form = form_class(request.POST, request.FILES)
        form.is_valid()  # reads the fields; the kind's service checks them
        try:
            item = form.submit(reporter=user)
        except (DomainError, ValidationError) as error:
            refusal_to_form(form, error)
            status = error.http_status if isinstance(error, DomainError) else 400
        else:
            messages.success(request, _("Thank you: your report was filed."))
            return redirect("feedback:detail", pk=item.pk)
    return render(
        request,
        "feedback/new.html",
        {
            "kind": kind,
            "kind_label": FeedbackKind(kind).label,
            "values": typed_values(form),
            "errors": errors_by_field(form),
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

    if item.reporter_id != viewer.pk and not viewer.has_perm(REVIEW_OUTPUTS):
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
    form = MeTooForm(request.POST)
    form.is_valid()  # reads the field; the service checks it
    try:
        feedback_me_too(
            item=item, reporter=signed_in_user(request), details=form.cleaned_data["details"]
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
    form = SurveyForm(survey=survey)
    if request.method == "POST":
        form = SurveyForm(request.POST, survey=survey)
        form.is_valid()  # reads the answers; the service checks them
        try:
            survey_respond(survey=survey, artist=user, answers=form.cleaned_data)
        except (DomainError, ValidationError) as error:
            refusal_to_form(form, error)
        else:
            messages.success(request, _("Thank you for answering."))
            return redirect("feedback:home")
    answered = survey.responses.filter(artist=user).exists()
    errors = errors_by_field(form)
    values = typed_values(form)
    # Each question with what was typed and its own error: nothing is lost on an error,
    # and an error names the question, not its internal id.
    questions = [
        {
            **question,
            "value": values[str(question["id"])],
            "error": errors.get(str(question["id"])),
        }
        for question in survey.questions
    ]
    return render(
        request,
        "feedback/survey.html",
        {"survey": survey, "questions": questions, "errors": errors, "answered": answered},
    )


@permission_required(REVIEW_OUTPUTS, raise_exception=True)
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


@permission_required(REVIEW_OUTPUTS, raise_exception=True)
def triage(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(FeedbackItem.objects.select_related("reporter"), pk=pk)
    if request.method == "POST":
        form = TriageForm(request.POST)
        form.is_valid()  # reads the fields; the service checks them
        try:
            feedback_set_status(item=item, staff=signed_in_user(request), **form.cleaned_data)
        except (DomainError, ValidationError) as error:
            # Shown again with everything that was typed and each error on its field.
            refusal_to_form(form, error)
            return _triage_page(request, item, form=form)
        messages.success(request, _("Status changed; the reporter has been told."))
        return redirect("feedback:triage", pk=pk)
    return _triage_page(request, item, form=TriageForm())


def _triage_page(request: HttpRequest, item: FeedbackItem, *, form: TriageForm) -> HttpResponse:
    errors = errors_by_field(form)
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
            "values": typed_values(form),
            "screenshots": _screenshots(item, signed_in_user(request)),
        },
        status=400 if errors else 200,
    )
