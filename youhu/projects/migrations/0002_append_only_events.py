"""The database refuses to change a project event, as it does a ticket event (tickets 0002): UPDATE on
both engines, DELETE on PostgreSQL too (SQLite's test runner empties tables with DELETE)."""

from django.db import migrations

MESSAGE = "project events are append-only"
STATEMENTS = {
    "sqlite": [f"""CREATE TRIGGER projects_event_no_update BEFORE UPDATE ON projects_projectevent
                   BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END"""],
    "postgresql": [
        f"""CREATE OR REPLACE FUNCTION projects_event_append_only() RETURNS trigger AS $$
            BEGIN RAISE EXCEPTION '{MESSAGE}'; END $$ LANGUAGE plpgsql""",
        """CREATE TRIGGER projects_event_no_change BEFORE UPDATE OR DELETE ON projects_projectevent
           FOR EACH ROW EXECUTE FUNCTION projects_event_append_only()""",
    ],
}


def install(apps, schema_editor):
    for sql in STATEMENTS.get(schema_editor.connection.vendor, []):
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("projects", "0001_initial")]
    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
