"""12345 practice: accept within 2 office hours (30 minutes when urgent); reply within 3 working days
for consultations and help, 15 for complaints, reports and suggestions. Admins edit these as data."""

from django.db import migrations


def create(apps, schema_editor):
    from youhu.taxonomy.defaults import ensure_default_deadline_rules

    ensure_default_deadline_rules(apps.get_model("taxonomy", "DeadlineRule"))


class Migration(migrations.Migration):
    dependencies = [("taxonomy", "0001_initial")]
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
