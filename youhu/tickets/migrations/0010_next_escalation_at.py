# When the escalation pass looks at a ticket next (docs/scale.md): added NULL (instant on PostgreSQL), its
# partial index built on an empty set. No backfill here: the first pass after the upgrade finds no LadderInputs and
# brings every waiting ticket forward in one UPDATE per deadline (escalation.services.wake_waiting).

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('directory', '0003_levels_districts'),
        ('taxonomy', '0003_category_published'),
        ('tickets', '0009_dashboard_open_work_index'),
    ]

    operations = [
        migrations.AddField(
            model_name='ticket',
            name='next_escalation_at',
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.AddIndex(
            model_name='ticket',
            index=models.Index(condition=models.Q(('next_escalation_at__isnull', False)), fields=['next_escalation_at'], name='ticket_escalation_due'),
        ),
    ]
