from django.contrib import admin

from cohorts.models import Cohort
from cohorts.selectors import cohort_seats_taken


@admin.register(Cohort)
class CohortAdmin(admin.ModelAdmin):
    list_display = [
        "name", "capacity", "seats_taken", "daily_generation_quota", "visible_watermark",
        "is_paused",
    ]  # fmt: skip
    list_filter = ["is_paused", "visible_watermark"]
    search_fields = ["name"]

    @admin.display(description="Seats taken")
    def seats_taken(self, obj: Cohort) -> int:
        return cohort_seats_taken(cohort=obj)
