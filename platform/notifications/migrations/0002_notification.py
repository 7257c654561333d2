# The notification rows move here from portal (issue 15). State only: the table
# ``portal_notification`` with its index and constraints was made by portal's 0001 and
# 0002 and keeps its name, so no data moves and the schema doesn't change.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0001_initial"),
        ("jobs", "0005_job_idempotency"),
        ("portal", "0002_notification_kind_and_job"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Notification",
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
                        ("message", models.CharField(max_length=300)),
                        ("link", models.CharField(blank=True, max_length=200)),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("read_at", models.DateTimeField(blank=True, null=True)),
                        (
                            "user",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="notifications",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "job",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to="jobs.job",
                            ),
                        ),
                        (
                            "kind",
                            models.CharField(
                                choices=[
                                    ("message", "Message"),
                                    ("video_ready", "Video ready"),
                                    ("review_decision", "Review decision"),
                                ],
                                default="message",
                                max_length=32,
                            ),
                        ),
                    ],
                    options={
                        "db_table": "portal_notification",
                        "ordering": ["-created_at", "-id"],
                        "indexes": [
                            models.Index(
                                fields=["user", "read_at"], name="portal_noti_user_id_d5ad53_idx"
                            )
                        ],
                        "constraints": [
                            models.UniqueConstraint(
                                condition=models.Q(("kind", "video_ready")),
                                fields=("job", "kind"),
                                name="notification_video_ready_once_per_job",
                            ),
                            models.CheckConstraint(
                                condition=models.Q(
                                    ("kind", "message"), ("job__isnull", False), _connector="OR"
                                ),
                                name="notification_job_kinds_name_a_job",
                            ),
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
