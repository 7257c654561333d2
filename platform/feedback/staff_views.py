"""The program admins' survey pages (/staff/surveys/): every survey, a new one from a
form with a row per question, editing until it is sent, sending it to its cohort. The
services (``feedback.services``) decide; a sent survey is only shown."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from accounts.http import signed_in_user
from accounts.permissions import RUN_PROGRAM
from domain.errors import DomainError
from feedback.models import Survey
from feedback.services import survey_create, survey_send, survey_update
from feedback.staff_forms import QuestionFormSet, SurveyForm, questions_from, questions_initial
from web.http import error_text
from web.refusals import refusal_to_form


@permission_required(RUN_PROGRAM, raise_exception=True)
def survey_list(request: HttpRequest) -> HttpResponse:
    surveys = (
        Survey.objects.select_related("cohort").annotate(answers=Count("responses")).order_by("-pk")
    )
    return render(request, "feedback/staff_surveys.html", {"surveys": surveys})


def _editor(
    request: HttpRequest, form: SurveyForm, questions: Any, survey: Survey | None = None
) -> HttpResponse:
    refused = bool(form.errors or (questions.is_bound and not questions.is_valid()))
    return render(
        request,
        "feedback/staff_survey.html",
        {"form": form, "questions": questions, "survey": survey},
        status=400 if refused else 200,
    )


def _save(request: HttpRequest, survey: Survey | None) -> tuple[Survey | None, HttpResponse | None]:
    form = SurveyForm(request.POST)
    questions = QuestionFormSet(request.POST, prefix="questions")
    if form.is_valid() and questions.is_valid():
        fields = {
            "admin": signed_in_user(request),
            "title": form.cleaned_data["title"],
            "cohort": form.cleaned_data["cohort"],
            "questions": questions_from(questions),
            "closes_at": form.cleaned_data["closes_at"],
        }
        try:
            if survey is None:
                return survey_create(**fields), None
            return survey_update(survey=survey, **fields), None
        except (DomainError, ValidationError) as error:
            refusal_to_form(form, error)
    return None, _editor(request, form, questions, survey)


@permission_required(RUN_PROGRAM, raise_exception=True)
def survey_new(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _editor(request, SurveyForm(), QuestionFormSet(prefix="questions"))
    saved, refused = _save(request, None)
    if saved is None:
        assert refused is not None
        return refused
    messages.success(request, f"Saved the survey “{saved.title}”; send it when it is ready.")
    return redirect("staff_surveys:detail", survey_id=saved.pk)


@permission_required(RUN_PROGRAM, raise_exception=True)
def survey_detail(request: HttpRequest, survey_id: int) -> HttpResponse:
    """An unsent survey's editor (POST saves it), or a sent survey's questions."""
    survey = get_object_or_404(Survey.objects.select_related("cohort"), pk=survey_id)
    if request.method != "POST":
        form = SurveyForm(
            initial={"title": survey.title, "cohort": survey.cohort, "closes_at": survey.closes_at}
        )
        questions = QuestionFormSet(prefix="questions", initial=questions_initial(survey))
        return _editor(request, form, questions, survey)
    saved, refused = _save(request, survey)
    if saved is None:
        assert refused is not None
        return refused
    messages.success(request, f"Saved the survey “{saved.title}”.")
    return redirect("staff_surveys:detail", survey_id=saved.pk)


@permission_required(RUN_PROGRAM, raise_exception=True)
@require_POST
def survey_send_view(request: HttpRequest, survey_id: int) -> HttpResponse:
    survey = get_object_or_404(Survey.objects.select_related("cohort"), pk=survey_id)
    try:
        survey_send(admin=signed_in_user(request), survey=survey)
    except DomainError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(
            request, f"Sent “{survey.title}” to {survey.cohort.name}; it can't change now."
        )
    return redirect("staff_surveys:detail", survey_id=survey.pk)
