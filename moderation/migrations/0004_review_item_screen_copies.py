"""The queue's pre-screen filters get their own partial indexes: each review item carries
a copy of its output's screening flags (issue 18; decision 0035)."""

from django.db import migrations, models
from django.db.models import Q

OPEN = ["pending", "claimed", "appealed"]


def copy_screenings(apps, schema_editor):
    """Items made before this migration: copy what their screening found."""
    Screening = apps.get_model("screening", "Screening")
    ReviewItem = apps.get_model("moderation", "ReviewItem")
    found = Screening.objects.filter(Q(flagged=True) | Q(status="not_screened"))
    for output_id, flagged, status in found.values_list("output_id", "flagged", "status"):
        ReviewItem.objects.filter(output_id=output_id).update(
            flagged=flagged, not_screened=status == "not_screened"
        )


class Migration(migrations.Migration):
    dependencies = [
        ("moderation", "0003_second_opinions"),
        ("screening", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="reviewitem",
            name="flagged",
            field=models.BooleanField(default=False),
        ),
        migrations.AddField(
            model_name="reviewitem",
            name="not_screened",
            field=models.BooleanField(default=False),
        ),
        migrations.RunPython(copy_screenings, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="reviewitem",
            index=models.Index(
                condition=Q(("flagged", True), ("status__in", OPEN)),
                fields=["due_at", "id"],
                name="review_open_flagged_due",
            ),
        ),
        migrations.AddIndex(
            model_name="reviewitem",
            index=models.Index(
                condition=Q(("not_screened", True), ("status__in", OPEN)),
                fields=["due_at", "id"],
                name="review_open_unscreened_due",
            ),
        ),
    ]
