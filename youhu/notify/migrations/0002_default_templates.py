from django.db import migrations


def seed(apps, schema_editor):
    from youhu.notify.rules import DEFAULT_TEXTS

    Template = apps.get_model("notify", "Template")
    for (event, kind), (subject, body) in DEFAULT_TEXTS.items():
        Template.objects.get_or_create(event=event, kind=kind, defaults={"subject": subject, "body": body})


class Migration(migrations.Migration):
    dependencies = [("notify", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
