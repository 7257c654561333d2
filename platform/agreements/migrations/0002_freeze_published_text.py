"""A published agreement's text can never change, whatever writes to the table.

Services and the admin already refuse; this trigger also stops queryset.update(), raw
SQL and bugs. It raises an integrity error (SQLSTATE 23000 / SQLITE_CONSTRAINT).
"""

from django.db import migrations

POSTGRES_CREATE = """
CREATE OR REPLACE FUNCTION agreements_version_frozen() RETURNS trigger AS $$
BEGIN
    IF OLD.published_at IS NOT NULL THEN
        IF TG_OP = 'DELETE' THEN
            RAISE EXCEPTION 'agreement version % is published and cannot be deleted', OLD.id
                USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        IF NEW.title IS DISTINCT FROM OLD.title
           OR NEW.body IS DISTINCT FROM OLD.body
           OR NEW.effective_at IS DISTINCT FROM OLD.effective_at
           OR NEW.published_at IS DISTINCT FROM OLD.published_at
           OR NEW.text_sha256 IS DISTINCT FROM OLD.text_sha256 THEN
            RAISE EXCEPTION 'agreement version % is published; its text is frozen', OLD.id
                USING ERRCODE = 'integrity_constraint_violation';
        END IF;
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER agreements_version_frozen
    BEFORE UPDATE OR DELETE ON agreements_agreementversion
    FOR EACH ROW EXECUTE FUNCTION agreements_version_frozen();
"""
POSTGRES_DROP = """
DROP TRIGGER IF EXISTS agreements_version_frozen ON agreements_agreementversion;
DROP FUNCTION IF EXISTS agreements_version_frozen();
"""

SQLITE_CREATE = [
    """
    CREATE TRIGGER agreements_version_frozen_update
    BEFORE UPDATE ON agreements_agreementversion
    WHEN OLD.published_at IS NOT NULL AND (
        NEW.title IS NOT OLD.title OR NEW.body IS NOT OLD.body
        OR NEW.effective_at IS NOT OLD.effective_at OR NEW.published_at IS NOT OLD.published_at
        OR NEW.text_sha256 IS NOT OLD.text_sha256)
    BEGIN SELECT RAISE(ABORT, 'agreement version is published; its text is frozen'); END;
    """,
    """
    CREATE TRIGGER agreements_version_frozen_delete
    BEFORE DELETE ON agreements_agreementversion
    WHEN OLD.published_at IS NOT NULL
    BEGIN SELECT RAISE(ABORT, 'agreement version is published and cannot be deleted'); END;
    """,
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS agreements_version_frozen_update;",
    "DROP TRIGGER IF EXISTS agreements_version_frozen_delete;",
]


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRES_CREATE, params=None)
    elif schema_editor.connection.vendor == "sqlite":
        for statement in SQLITE_CREATE:
            schema_editor.execute(statement)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRES_DROP, params=None)
    elif schema_editor.connection.vendor == "sqlite":
        for statement in SQLITE_DROP:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("agreements", "0001_initial")]
    operations = [migrations.RunPython(create, drop)]
