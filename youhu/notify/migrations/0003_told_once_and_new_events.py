from django.db import migrations, models


def seed(apps, schema_editor):
    """The templates of the events added since 0002 (a visit due, a surge), on databases seeded before them."""
    from youhu.notify.rules import DEFAULT_TEXTS

    Template = apps.get_model("notify", "Template")
    for (event, kind), (subject, body) in DEFAULT_TEXTS.items():
        Template.objects.get_or_create(event=event, kind=kind, defaults={"subject": subject, "body": body})


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
