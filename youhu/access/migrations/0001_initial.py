"""ApiKey moves here from intake. The table `intake_apikey` and its rows stay as they are: this
migration only tells Django's state that the model is now `access.ApiKey` (intake 0004 forgets it), and
re-labels its content type so that admin permissions and log entries follow the model."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def relabel_content_type(apps, schema_editor, old: str = "intake", new: str = "access") -> None:
    content_types = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias
    if not content_types.objects.using(db).filter(app_label=new, model="apikey").exists():
        content_types.objects.using(db).filter(app_label=old, model="apikey").update(app_label=new)


def restore_content_type(apps, schema_editor) -> None:
    relabel_content_type(apps, schema_editor, old="access", new="intake")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("contenttypes", "0002_remove_content_type_name"),
        ("intake", "0003_delete_pendingtriage"),  # the table exists
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="ApiKey",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False,
                                                   verbose_name="ID")),
                        ("name", models.CharField(blank=True, help_text="用途说明", max_length=64)),
                        ("prefix", models.CharField(db_index=True, help_text="密钥前缀，用于辨认", max_length=16)),
                        ("key_hash", models.CharField(max_length=64, unique=True)),
                        ("created_at", models.DateTimeField()),
                        ("last_used_at", models.DateTimeField(blank=True, null=True)),
                        ("revoked_at", models.DateTimeField(blank=True, null=True)),
                        ("user", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE,
                                                   related_name="api_keys", to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        "verbose_name": "接口密钥",
                        "verbose_name_plural": "接口密钥",
                        "ordering": ["-created_at"],
                        "db_table": "intake_apikey",
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(relabel_content_type, restore_content_type),
    ]
