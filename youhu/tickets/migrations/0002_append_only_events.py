"""The database itself refuses to change a ticket event, whatever code asks (and, on PostgreSQL, to
delete one: TRUNCATE, used to empty test databases, does not fire row triggers there). On SQLite the
test runner empties tables with DELETE, so deletion is refused by the application layer only."""

from django.db import migrations

SQLITE = [
    """CREATE TRIGGER tickets_event_no_update BEFORE UPDATE ON tickets_ticketevent
       BEGIN SELECT RAISE(ABORT, 'ticket events are append-only'); END""",
]
POSTGRES = [
    """CREATE OR REPLACE FUNCTION tickets_event_append_only() RETURNS trigger AS $$
       BEGIN RAISE EXCEPTION 'ticket events are append-only'; END $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER tickets_event_no_change BEFORE UPDATE OR DELETE ON tickets_ticketevent
       FOR EACH ROW EXECUTE FUNCTION tickets_event_append_only()""",
]


def install(apps, schema_editor):
    statements = {"sqlite": SQLITE, "postgresql": POSTGRES}.get(schema_editor.connection.vendor, [])
    for sql in statements:
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("tickets", "0001_initial")]
    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
