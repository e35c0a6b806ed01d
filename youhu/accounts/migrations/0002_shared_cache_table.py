"""The table of the "shared" cache (settings.CACHES: the rate limits every worker shares), made here so that
`youhu migrate` is all a new database needs (no separate `createcachetable`). Made whatever the cache is
configured to be today, so that switching from Redis back to the embedded default needs nothing either."""

from django.core.management.commands.createcachetable import Command as CreateCacheTable
from django.db import migrations

TABLE = "youhu_shared_cache"


def create(apps, schema_editor):
    command = CreateCacheTable()
    command.verbosity = 0
    command.create_table(schema_editor.connection.alias, TABLE, dry_run=False)


def drop(apps, schema_editor):
    schema_editor.execute(f"DROP TABLE IF EXISTS {schema_editor.quote_name(TABLE)}")


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]
    operations = [migrations.RunPython(create, drop)]
