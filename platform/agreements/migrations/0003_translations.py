"""The binding text's language (frozen with the text: the triggers of 0002 now watch it
too) and translations for reading (decision 0025).

On SQLite, adding the column rebuilds the table, which drops its triggers: they are made
again here, after it."""

import django.db.models.deletion
from django.db import migrations, models

WATCHED_BEFORE = "OR NEW.text_sha256 IS DISTINCT FROM OLD.text_sha256 THEN"
WATCHED_NOW = (
    "OR NEW.text_sha256 IS DISTINCT FROM OLD.text_sha256\n"
    "           OR NEW.language IS DISTINCT FROM OLD.language THEN"
)
SQLITE_WATCHED = """
    OR NEW.text_sha256 IS NOT OLD.text_sha256 OR NEW.language IS NOT OLD.language)
"""


def _frozen():
    from importlib import import_module

    return import_module("agreements.migrations.0002_freeze_published_text")


def triggers(apps, schema_editor, *, watch_language=True):
    frozen = _frozen()
    if schema_editor.connection.vendor == "postgresql":
        sql = frozen.POSTGRES_CREATE
        assert WATCHED_BEFORE in sql
        if watch_language:
            sql = sql.replace(WATCHED_BEFORE, WATCHED_NOW)
        schema_editor.execute(frozen.POSTGRES_DROP, params=None)
        schema_editor.execute(sql, params=None)
    elif schema_editor.connection.vendor == "sqlite":
        for statement in frozen.SQLITE_DROP:
            schema_editor.execute(statement)
        update, delete = frozen.SQLITE_CREATE
        marker = "OR NEW.text_sha256 IS NOT OLD.text_sha256)"
        assert marker in update
        if watch_language:
            update = update.replace(marker, SQLITE_WATCHED.strip())
        schema_editor.execute(update)
        schema_editor.execute(delete)


def triggers_before(apps, schema_editor):
    triggers(apps, schema_editor, watch_language=False)


class Migration(migrations.Migration):
    dependencies = [
        ("agreements", "0002_freeze_published_text"),
    ]

    operations = [
        migrations.AddField(
            model_name="agreementversion",
            name="language",
            field=models.CharField(
                choices=[("en", "English"), ("fr", "Français"), ("id", "Bahasa Indonesia")],
                default="en",
                help_text="The language of the binding text above.",
                max_length=8,
            ),
        ),
        migrations.CreateModel(
            name="AgreementTranslation",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "language",
                    models.CharField(
                        choices=[("en", "English"), ("fr", "Français"), ("id", "Bahasa Indonesia")],
                        max_length=8,
                    ),
                ),
                ("title", models.CharField(max_length=200)),
                ("body", models.TextField(help_text="Markdown, like the binding text.")),
                ("updated_at", models.DateTimeField(auto_now=True)),
                (
                    "version",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="translations",
                        to="agreements.agreementversion",
                    ),
                ),
            ],
            options={
                "ordering": ["language"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("version", "language"),
                        name="agreement_translation_once_per_language",
                    )
                ],
            },
        ),
        migrations.RunPython(triggers, triggers_before),
    ]
