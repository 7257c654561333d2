"""The survey editor's forms: a title, a cohort, a closing time, and one small form per
question (a formset), so nobody types the questions' JSON.

``questions_from`` turns the valid formset into the list ``Survey.questions`` holds, the
list the artist's survey page reads; ``feedback.services.survey_questions_validate``
checks it again."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext as _

from cohorts.models import Cohort
from feedback.models import QuestionType, Survey

EXTRA_QUESTIONS = 3  # empty rows offered without JavaScript (static/js/survey-form.js adds more)
MAX_QUESTIONS = 50
MAX_CHOICES = 20
SCALE_LIMIT = 100


class SurveyForm(forms.Form):
    title = forms.CharField(label="Title", max_length=200)
    cohort = forms.ModelChoiceField(queryset=Cohort.objects.order_by("name"), label="Cohort")
    closes_at = forms.DateTimeField(
        label="Closes at (UTC, optional)",
        required=False,
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )


class QuestionForm(forms.Form):
    # A blank first choice, so an untouched extra row counts as empty.
    type = forms.ChoiceField(label="Type", choices=[("", "—"), *QuestionType.choices])
    text = forms.CharField(label="Question", max_length=500)
    choices = forms.CharField(
        label="Choices, one per line",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For a choice question: at least two.",
    )
    min = forms.IntegerField(
        label="Scale from", required=False, min_value=-SCALE_LIMIT, max_value=SCALE_LIMIT,
        help_text="For a scale question; 1 when empty.",
    )  # fmt: skip
    max = forms.IntegerField(
        label="Scale to", required=False, min_value=-SCALE_LIMIT, max_value=SCALE_LIMIT,
        help_text="For a scale question; 5 when empty.",
    )  # fmt: skip
    required = forms.BooleanField(label="An answer is required", required=False, initial=True)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        kind = cleaned.get("type")
        if kind == QuestionType.CHOICE:
            lines = [line.strip() for line in (cleaned.get("choices") or "").splitlines()]
            choices = list(dict.fromkeys(line for line in lines if line))
            if len(choices) < 2:
                self.add_error(
                    "choices", _("A choice question needs at least two different choices.")
                )
            elif len(choices) > MAX_CHOICES:
                self.add_error(
                    "choices", _("Offer at most %(limit)s choices.") % {"limit": MAX_CHOICES}
                )
            cleaned["choice_list"] = choices
        if kind == QuestionType.SCALE:
            low = cleaned.get("min")
            high = cleaned.get("max")
            low = 1 if low is None else low
            high = 5 if high is None else high
            if "min" not in self.errors and "max" not in self.errors and low >= high:
                self.add_error("max", _("The scale must end above where it starts."))
            cleaned["min"], cleaned["max"] = low, high
        return cleaned


class BaseQuestionFormSet(forms.BaseFormSet):
    def clean(self) -> None:
        if any(self.errors):
            return
        if not questions_from(self):
            raise forms.ValidationError(_("Ask at least one question."), code="no_questions")


QuestionFormSet = forms.formset_factory(
    QuestionForm,
    formset=BaseQuestionFormSet,
    extra=EXTRA_QUESTIONS,
    can_delete=True,
    max_num=MAX_QUESTIONS,
    validate_max=True,
    absolute_max=MAX_QUESTIONS,
)


def questions_from(formset: forms.BaseFormSet) -> list[dict[str, Any]]:
    """The questions as ``Survey.questions`` stores them, numbered ``q1``, ``q2``… in the
    order shown; empty and deleted rows are left out."""
    questions: list[dict[str, Any]] = []
    for form in formset.forms:
        data = getattr(form, "cleaned_data", None)
        if not data or data.get("DELETE"):  # an untouched extra row has no data
            continue
        question: dict[str, Any] = {
            "id": f"q{len(questions) + 1}",
            "type": data["type"],
            "text": data["text"],
            "required": bool(data.get("required")),
        }
        if data["type"] == QuestionType.CHOICE:
            question["choices"] = data.get("choice_list", [])
        elif data["type"] == QuestionType.SCALE:
            question["min"], question["max"] = data["min"], data["max"]
        questions.append(question)
    return questions


def questions_initial(survey: Survey) -> list[dict[str, Any]]:
    """A survey's questions as the formset's starting rows."""
    return [
        {
            "type": question.get("type"),
            "text": question.get("text", ""),
            "choices": "\n".join(question.get("choices", [])),
            "min": question.get("min"),
            "max": question.get("max"),
            "required": question.get("required", True),
        }
        for question in survey.questions
    ]
