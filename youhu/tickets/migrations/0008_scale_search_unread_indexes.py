"""Indexes for a city's volume (docs/scale.md): trigram search of title and text on PostgreSQL, and the
unread inbox messages of a user and of a unit, and a unit's waiting co-handling requests, as small
partial indexes."""

from django.db import migrations, models

TRIGRAM_COLUMNS = ("title", "content")


def _trigram_indexes(apps, schema_editor):
    # pg_trgm is PostgreSQL's own; SQLite keeps its scan (the ORM lookup is the same on both).
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for column in TRIGRAM_COLUMNS:
        # UPPER(column::text) is the expression Django's icontains compares with LIKE.
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS ticket_{column}_trgm ON tickets_ticket "
                              f"USING gin ((UPPER({column}::text)) gin_trgm_ops)")


def _drop_trigram_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for column in TRIGRAM_COLUMNS:
        schema_editor.execute(f"DROP INDEX IF EXISTS ticket_{column}_trgm")


class Migration(migrations.Migration):

    dependencies = [
        ("tickets", "0007_levels_ticket_district"),
    ]

    operations = [
        migrations.RunPython(_trigram_indexes, _drop_trigram_indexes),
        migrations.AddIndex(
            model_name="notification",
            index=models.Index(condition=models.Q(("read_at__isnull", True)), fields=["user"],
                               name="notification_unread_user"),
        ),
        migrations.AddIndex(
            model_name="notification",
            index=models.Index(condition=models.Q(("read_at__isnull", True)), fields=["unit"],
                               name="notification_unread_unit"),
        ),
        migrations.AddIndex(
            model_name="ticketunit",
            index=models.Index(condition=models.Q(("active", True), ("part_submitted_at__isnull", True), ("role", "co")),
                               fields=["unit"], name="ticketunit_co_waiting"),
        ),
    ]
