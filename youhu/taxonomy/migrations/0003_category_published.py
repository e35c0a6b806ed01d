"""Category.published: whether a category's appeals may be shown to the public (Open311 reads, /open/), on by
default, off for the sensitive classes of the seeded taxonomy (taxonomy.defaults.UNPUBLISHED_CATEGORY_PATHS)."""

from django.db import migrations, models


def unpublish_sensitive(apps, schema_editor):
    from youhu.taxonomy.defaults import UNPUBLISHED_CATEGORY_PATHS

    apps.get_model("taxonomy", "Category").objects.filter(path__in=UNPUBLISHED_CATEGORY_PATHS).update(published=False)


class Migration(migrations.Migration):
    dependencies = [("taxonomy", "0002_default_deadline_rules")]
    operations = [
        migrations.AddField(
            model_name="category",
            name="published",
            field=models.BooleanField(
                default=True, verbose_name="公开发布",
                help_text="该分类（含下级分类）的诉求可（经脱敏后）在 Open311 和开放数据页公开"),
        ),
        migrations.RunPython(unpublish_sensitive, migrations.RunPython.noop),
    ]
