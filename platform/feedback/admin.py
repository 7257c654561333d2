from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from accounts.http import signed_in_user
from feedback.models import FeedbackItem, Survey, SurveyResponse
from feedback.services import survey_questions_validate, survey_send


class SurveyForm(forms.ModelForm):
    class Meta:
        model = Survey
        fields = ["title", "cohort", "questions", "closes_at"]
        help_texts = {
            "questions": 'JSON list, e.g. [{"id": "q1", "type": "scale", "text": "How fast?", '
            '"min": 1, "max": 5}, {"id": "q2", "type": "choice", "text": "Best part?", '
            '"choices": ["motion", "colour"]}, '
            '{"id": "q3", "type": "text", "text": "Anything else?", "required": false}]'
        }

    def clean_questions(self) -> Any:
        return survey_questions_validate(self.cleaned_data["questions"])


@admin.register(Survey)
class SurveyAdmin(admin.ModelAdmin):
    form = SurveyForm
    list_display = ["title", "cohort", "sent_at", "closes_at", "response_count"]
    actions = ["send_selected"]

    @admin.display(description="Responses")
    def response_count(self, obj: Survey) -> int:
        return obj.responses.count()

    @admin.action(description="Send selected surveys to their cohort")
    def send_selected(self, request: HttpRequest, queryset: QuerySet[Survey]) -> None:
        for survey in queryset:
            survey_send(admin=signed_in_user(request), survey=survey)
        messages.success(request, f"Sent {queryset.count()} survey(s).")


@admin.register(SurveyResponse)
class SurveyResponseAdmin(admin.ModelAdmin):
    list_display = ["survey", "artist", "created_at"]
    readonly_fields = ["survey", "artist", "answers", "created_at"]


@admin.register(FeedbackItem)
class FeedbackItemAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "status", "reporter", "created_at"]
    list_filter = ["kind", "status"]
    search_fields = ["title", "reporter__email"]
    readonly_fields = [f.name for f in FeedbackItem._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
