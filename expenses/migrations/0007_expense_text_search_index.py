"""Trigram indexes for the search across cycles: `icontains` on the description or the note
compiles to UPPER(column::text) LIKE UPPER('%…%') on PostgreSQL, which a GIN index on
UPPER(column) with gin_trgm_ops serves. SQLite (the `make run` default) has neither, so there
the migration does nothing and the search scans, which is fine at its size."""

from django.db import migrations

INDEXES = {
    "expenses_expense_description_trgm": "description",
    "expenses_expense_note_trgm": "note",
}


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, column in INDEXES.items():
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON expenses_expense "
            f"USING gin ((UPPER({column}::text)) gin_trgm_ops)"
        )


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("expenses", "0006_category_rolls_over")]

    operations = [migrations.RunPython(create_indexes, drop_indexes)]
