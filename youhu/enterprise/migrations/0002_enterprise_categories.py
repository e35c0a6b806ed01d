"""The 企业诉求 category branch (is_enterprise) with its deadline rules."""

from django.db import migrations

from youhu.enterprise.categories import ensure_categories


def create(apps, schema_editor):
    ensure_categories(apps.get_model("taxonomy", "Category"), apps.get_model("taxonomy", "DeadlineRule"))


class Migration(migrations.Migration):
    dependencies = [("enterprise", "0001_initial"), ("taxonomy", "0002_default_deadline_rules")]
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
