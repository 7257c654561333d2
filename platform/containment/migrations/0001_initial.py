# The kill switch moved here from jobs (issue 15). State only: the table
# jobs_generationswitch, created by jobs 0003, stays where it is with its row.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("jobs", "0006_estimate_indexes"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="GenerationSwitch",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("paused", models.BooleanField(default=False)),
                        ("reason", models.CharField(blank=True, max_length=300)),
                        ("changed_at", models.DateTimeField(blank=True, null=True)),
                        (
                            "changed_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={"db_table": "jobs_generationswitch"},
                ),
            ],
            database_operations=[],
        ),
    ]
