# Issue 16: when a job's render ended (jobs.worker._render_stage), for the queue
# estimate's worker occupancy (jobs.estimates).

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("jobs", "0009_workerheartbeat_render_clock"),
    ]

    operations = [
        migrations.AddField(
            model_name="job",
            name="rendered_at",
            field=models.DateTimeField(
                blank=True,
                help_text=(
                    "When the render of the last attempt to get that far ended (progress "
                    "0.95); its worker may start its next render from then on "
                    "(post-processing overlaps)."
                ),
                null=True,
            ),
        ),
    ]
