from importlib import import_module

from django.db import migrations, models

# 0002's seeding again (get_or_create: only what is missing), for the events added since (a visit due, a surge)
# on databases seeded before them.
seed = import_module("youhu.notify.migrations.0002_default_templates").seed


class Migration(migrations.Migration):
    dependencies = [("notify", "0002_default_templates")]
    operations = [
        migrations.CreateModel(
            name="Told",
            fields=[
                ("key", models.CharField(max_length=200, primary_key=True, serialize=False)),
                ("at", models.DateTimeField()),
            ],
            options={"verbose_name": "已通知记录", "verbose_name_plural": "已通知记录"},
        ),
        migrations.RunPython(seed, migrations.RunPython.noop),
    ]
