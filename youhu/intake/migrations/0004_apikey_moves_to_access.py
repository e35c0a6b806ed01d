"""ApiKey now belongs to the access app (access 0001); its table stays, so intake forgets it in state only."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("intake", "0003_delete_pendingtriage"),
        ("access", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="ApiKey")],
            database_operations=[],
        ),
    ]
