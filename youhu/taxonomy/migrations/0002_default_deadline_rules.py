"""12345 practice: accept within 2 office hours (30 minutes when urgent); reply within 3 working days
for consultations and help, 15 for complaints, reports and suggestions. Admins edit these as data."""

from django.db import migrations

DEFAULTS = [
    # appeal_type, urgency, accept minutes, reply working days
    ("consult", "normal", 120, 3),
    ("help", "normal", 120, 3),
    ("complaint", "normal", 120, 15),
    ("report", "normal", 120, 15),
    ("suggestion", "normal", 120, 15),
    ("praise", "normal", 120, 5),
    ("", "normal", 120, 15),
    ("consult", "urgent", 30, 1),
    ("help", "urgent", 30, 1),
    ("complaint", "urgent", 30, 3),
    ("report", "urgent", 30, 3),
    ("suggestion", "urgent", 30, 5),
    ("praise", "urgent", 30, 5),
    ("", "urgent", 30, 3),
]


def create(apps, schema_editor):
    rule = apps.get_model("taxonomy", "DeadlineRule")
    for appeal_type, urgency, minutes, days in DEFAULTS:
        rule.objects.get_or_create(
            category=None, appeal_type=appeal_type, urgency=urgency,
            defaults={"accept_office_minutes": minutes, "reply_working_days": days,
                      "remind_before_working_days": 1 if days <= 3 else 2},
        )


class Migration(migrations.Migration):
    dependencies = [("taxonomy", "0001_initial")]
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
