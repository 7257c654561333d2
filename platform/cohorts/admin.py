from django.contrib import admin
from django.db import transaction
from django.forms import ModelForm
from django.http import HttpRequest

from cohorts.models import Cohort
from cohorts.selectors import cohort_seats_taken
from cohorts.services import (
    GENERATION_RULES,
    cohort_download_policy_record,
    cohort_generation_rules_record,
)


@admin.register(Cohort)
class CohortAdmin(admin.ModelAdmin):
    list_display = [
        "name", "capacity", "seats_taken", "daily_generation_quota", "visible_watermark",
        "download_policy", "scheduling_weight", "is_paused",
    ]  # fmt: skip
    list_filter = ["is_paused", "visible_watermark", "download_policy"]
    search_fields = ["name"]

    @admin.display(description="Seats taken")
    def seats_taken(self, obj: Cohort) -> int:
        return cohort_seats_taken(cohort=obj)

    def save_model(self, request: HttpRequest, obj: Cohort, form: ModelForm, change: bool) -> None:
        # The form validated the choice (a field error otherwise); a change of who may
        # download goes to the audit chain with the save.
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            if change and "download_policy" in form.changed_data:
                cohort_download_policy_record(
                    actor=request.user,  # type: ignore[arg-type]
                    cohort=obj,
                    previous=form.initial.get("download_policy", ""),
                )
            rules = [field for field in GENERATION_RULES if field in form.changed_data]
            if change and rules:
                cohort_generation_rules_record(
                    actor=request.user,  # type: ignore[arg-type]
                    cohort=obj,
                    previous={field: form.initial.get(field) for field in rules},
                )
