"""The feedback pages' forms. They read what was sent, with the same field names as the
pages' inputs; the services check it, and their refusals go back onto these forms
(``web.refusals.refusal_to_form``)."""

from __future__ import annotations

from typing import Any

from django import forms

from accounts.models import User
from feedback.models import FeedbackItem, FeedbackKind, Survey
from feedback.services import (
    feedback_bug_submit,
    feedback_feature_submit,
    feedback_output_submit,
    feedback_safety_submit,
    read_job_numbers,
    read_number,
)
from web.refusals import TypedTextField, TypedTextListField, TypedUploadsField


class FeedbackForm(forms.Form):
    """One kind of feedback: ``submit`` files it through that kind's service. Every kind
    reads ``screenshots``: the services say which kinds take them."""

    screenshots = TypedUploadsField()

    def submit(self, *, reporter: User) -> FeedbackItem:
        raise NotImplementedError


class OutputFeedbackForm(FeedbackForm):
    job = TypedTextField()
    rating = TypedTextField()
    tags = TypedTextListField()
    comment = TypedTextField()

    def submit(self, *, reporter: User) -> FeedbackItem:
        data = self.cleaned_data
        return feedback_output_submit(
            reporter=reporter,
            job_id=read_number(data["job"]),
            rating=read_number(data["rating"]),
            tags=data["tags"],
            comment=data["comment"],
            screenshots=data["screenshots"],
        )


class BugReportForm(FeedbackForm):
    title = TypedTextField()
    steps = TypedTextField()
    expected = TypedTextField()
    actual = TypedTextField()
    severity = TypedTextField()

    def submit(self, *, reporter: User) -> FeedbackItem:
        return feedback_bug_submit(reporter=reporter, **self.cleaned_data)


class SafetyFindingForm(FeedbackForm):
    title = TypedTextField()
    severity = TypedTextField()
    category = TypedTextField()
    prompts = TypedTextField()
    job_ids = TypedTextField()

    def submit(self, *, reporter: User) -> FeedbackItem:
        data = self.cleaned_data
        return feedback_safety_submit(
            reporter=reporter,
            title=data["title"],
            severity=data["severity"],
            category=data["category"],
            prompts=data["prompts"],
            job_ids=read_job_numbers(data["job_ids"]),
            screenshots=data["screenshots"],
        )


class FeatureRequestForm(FeedbackForm):
    title = TypedTextField()
    comment = TypedTextField()

    def submit(self, *, reporter: User) -> FeedbackItem:
        return feedback_feature_submit(reporter=reporter, **self.cleaned_data)


FEEDBACK_FORMS: dict[str, type[FeedbackForm]] = {
    FeedbackKind.OUTPUT: OutputFeedbackForm,
    FeedbackKind.BUG: BugReportForm,
    FeedbackKind.SAFETY: SafetyFindingForm,
    FeedbackKind.FEATURE: FeatureRequestForm,
}


class MeTooForm(forms.Form):
    details = TypedTextField()


class SurveyForm(forms.Form):
    """One field per question, named by the question's id; the inputs are ``q-<id>``."""

    prefix = "q"

    def __init__(self, *args: Any, survey: Survey, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for question in survey.questions:
            self.fields[str(question["id"])] = TypedTextField()


class TriageForm(forms.Form):
    status = TypedTextField()
    reply = TypedTextField()
    reply_public = TypedTextField()
    fixed_in = TypedTextField()
    duplicate_of = TypedTextField()

    def clean_reply_public(self) -> bool:
        # Only a ticked box: "on" is what a browser sends for it.
        return self.cleaned_data["reply_public"] == "on"

    def clean_duplicate_of(self) -> FeedbackItem | None:
        """The item named by its number; ``None`` for none or no such item (the service
        says what is missing)."""
        number = self.cleaned_data["duplicate_of"]
        if not (number.isascii() and number.isdigit()):
            return None
        return FeedbackItem.objects.filter(pk=int(number)).first()
