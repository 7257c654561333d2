"""Feedback is seen within the reporter's cohort, and staff replies are private unless
marked public. Existing items take their reporter's current cohort; existing replies
become private (reporter and staff only), the safe reading of replies written before
anyone could choose."""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def cohort_from_reporter(apps, schema_editor):
    FeedbackItem = apps.get_model("feedback", "FeedbackItem")
    User = apps.get_model("accounts", "User")
    FeedbackItem.objects.filter(cohort__isnull=True).update(
        cohort_id=Subquery(User.objects.filter(pk=OuterRef("reporter_id")).values("cohort_id"))
    )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0005_user_public_credit"),
        ("cohorts", "0002_visible_watermark"),
        ("feedback", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="feedbackitem",
            name="cohort",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="cohorts.cohort",
            ),
        ),
        migrations.AddField(
            model_name="feedbackitem",
            name="staff_reply_public",
            field=models.BooleanField(
                default=False,
                help_text="Other artists who may see the item may read the reply.",
            ),
        ),
        migrations.AddField(
            model_name="statuschange",
            name="reply_public",
            field=models.BooleanField(default=False),
        ),
        migrations.RunPython(cohort_from_reporter, migrations.RunPython.noop),
    ]
