"""Ledger entries are never updated or deleted, and a published rate card never changes,
whatever writes to the tables.

The models and services already refuse; these triggers also stop raw SQL and bugs. They
raise an integrity error (SQLSTATE 23000 / SQLITE_CONSTRAINT). TRUNCATE (test database
flushes) fires no row triggers.
"""

from django.db import migrations

POSTGRES_CREATE = """
CREATE OR REPLACE FUNCTION ledger_entry_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'ledger entry % can''t be changed or deleted; the ledger is append-only', OLD.id
        USING ERRCODE = 'integrity_constraint_violation';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER ledger_entry_append_only
    BEFORE UPDATE OR DELETE ON ledger_ledgerentry
    FOR EACH ROW EXECUTE FUNCTION ledger_entry_append_only();

CREATE OR REPLACE FUNCTION ledger_rate_card_frozen() RETURNS trigger AS $$
BEGIN
    IF OLD.published_at IS NOT NULL THEN
        IF TG_OP = 'DELETE' THEN
            RAISE EXCEPTION 'rate card % is published and cannot be deleted', OLD.version
                USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        IF NEW.version IS DISTINCT FROM OLD.version
           OR NEW.effective_at IS DISTINCT FROM OLD.effective_at
           OR NEW.published_at IS DISTINCT FROM OLD.published_at
           OR NEW.currency IS DISTINCT FROM OLD.currency
           OR NEW.rates IS DISTINCT FROM OLD.rates
           OR NEW.note IS DISTINCT FROM OLD.note THEN
            RAISE EXCEPTION 'rate card % is published; it is frozen', OLD.version
                USING ERRCODE = 'integrity_constraint_violation';
        END IF;
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER ledger_rate_card_frozen
    BEFORE UPDATE OR DELETE ON ledger_ratecard
    FOR EACH ROW EXECUTE FUNCTION ledger_rate_card_frozen();
"""
POSTGRES_DROP = """
DROP TRIGGER IF EXISTS ledger_entry_append_only ON ledger_ledgerentry;
DROP FUNCTION IF EXISTS ledger_entry_append_only();
DROP TRIGGER IF EXISTS ledger_rate_card_frozen ON ledger_ratecard;
DROP FUNCTION IF EXISTS ledger_rate_card_frozen();
"""

SQLITE_CREATE = [
    """
    CREATE TRIGGER ledger_entry_no_update BEFORE UPDATE ON ledger_ledgerentry
    BEGIN SELECT RAISE(ABORT, 'ledger entries are append-only'); END;
    """,
    """
    CREATE TRIGGER ledger_entry_no_delete BEFORE DELETE ON ledger_ledgerentry
    BEGIN SELECT RAISE(ABORT, 'ledger entries are append-only'); END;
    """,
    """
    CREATE TRIGGER ledger_rate_card_frozen_update BEFORE UPDATE ON ledger_ratecard
    WHEN OLD.published_at IS NOT NULL AND (
        NEW.version IS NOT OLD.version OR NEW.effective_at IS NOT OLD.effective_at
        OR NEW.published_at IS NOT OLD.published_at OR NEW.currency IS NOT OLD.currency
        OR NEW.rates IS NOT OLD.rates OR NEW.note IS NOT OLD.note)
    BEGIN SELECT RAISE(ABORT, 'rate card is published; it is frozen'); END;
    """,
    """
    CREATE TRIGGER ledger_rate_card_frozen_delete BEFORE DELETE ON ledger_ratecard
    WHEN OLD.published_at IS NOT NULL
    BEGIN SELECT RAISE(ABORT, 'rate card is published and cannot be deleted'); END;
    """,
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS ledger_entry_no_update;",
    "DROP TRIGGER IF EXISTS ledger_entry_no_delete;",
    "DROP TRIGGER IF EXISTS ledger_rate_card_frozen_update;",
    "DROP TRIGGER IF EXISTS ledger_rate_card_frozen_delete;",
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
    dependencies = [("ledger", "0001_initial")]
    operations = [migrations.RunPython(create, drop)]
