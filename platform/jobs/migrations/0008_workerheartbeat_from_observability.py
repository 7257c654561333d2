# Worker heartbeats moved here from observability (issue 15): the worker writes them and the
# queue estimate reads them. State only: the table observability 0001 made stays as it is.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("jobs", "0007_move_generationswitch_to_containment"),
        ("observability", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="WorkerHeartbeat",
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
                        ("name", models.CharField(max_length=200, unique=True)),
                        ("queues", models.CharField(blank=True, max_length=300)),
                        ("started_at", models.DateTimeField()),
                        ("last_seen_at", models.DateTimeField()),
                        ("job_id", models.BigIntegerField(blank=True, null=True)),
                    ],
                    options={
                        "db_table": "observability_workerheartbeat",
                        "ordering": ["name"],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
