"""Drop three indexes that a composite index already serves: every index is one more page written per new
ticket or event, and intake's writes are serialised on SQLite.

Plain DROP INDEX rather than AlterField: on SQLite, AlterField rebuilds the table, which would also drop the
append-only triggers of ticket events (0002).
"""

import django.db.models.deletion
from django.db import migrations, models

INDEXES = {
    # name: (table, column) — Django's own names, the same on SQLite and PostgreSQL
    "tickets_ticket_status_384e643a": ("tickets_ticket", "status"),
    "tickets_ticket_main_unit_id_6e263e1b": ("tickets_ticket", "main_unit_id"),
    "tickets_ticketevent_ticket_id_b572d14b": ("tickets_ticketevent", "ticket_id"),
}

DROP = [f'DROP INDEX IF EXISTS "{name}"' for name in [*INDEXES, "tickets_ticket_status_384e643a_like"]]
CREATE = [f'CREATE INDEX "{name}" ON "{table}" ("{column}")' for name, (table, column) in INDEXES.items()]


class Migration(migrations.Migration):

    dependencies = [
        ("directory", "0001_initial"),
        ("tickets", "0004_dispatched_at_index"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunSQL(DROP, reverse_sql=CREATE)],
            state_operations=[
                migrations.AlterField(
                    model_name="ticket",
                    name="main_unit",
                    field=models.ForeignKey(blank=True, db_index=False, null=True,
                                            on_delete=django.db.models.deletion.PROTECT,
                                            related_name="main_tickets", to="directory.unit"),
                ),
                migrations.AlterField(
                    model_name="ticket",
                    name="status",
                    field=models.CharField(choices=[("new", "待受理"), ("registered", "待派单"), ("dispatched", "待签收"),
                                                    ("handling", "办理中"), ("replied", "待回访"), ("closed", "已归档")],
                                           default="new", max_length=16),
                ),
                migrations.AlterField(
                    model_name="ticketevent",
                    name="ticket",
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT,
                                            related_name="events", to="tickets.ticket"),
                ),
            ],
        ),
    ]
