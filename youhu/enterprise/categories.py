"""The company demand branch of the category tree (企业诉求) and its deadlines.

Used by the data migration (with historical models) and by the demo loader (with the real ones);
both calls are idempotent. Default units are left to the demo or an admin: at migration time the
district's departments may not exist yet.
"""

from __future__ import annotations

from typing import Any

ROOT = "企业诉求"
BRANCHES = ["政策兑现", "用地", "人才与安居", "融资", "审批办证", "用工", "知识产权", "应用场景对接"]
# Companies are promised quicker answers than the general 15 working days (urgency, accept office
# minutes, reply working days); any appeal type.
DEADLINES = [("normal", 120, 10), ("urgent", 30, 5)]


def ensure_categories(category_model: Any, rule_model: Any) -> Any:
    """Create the 企业诉求 branch and its deadline rules if missing; return the root category."""
    root, _ = category_model.objects.get_or_create(
        path=ROOT, defaults={"name": ROOT, "level": 1, "is_enterprise": True, "public": False}
    )
    for name in BRANCHES:
        category_model.objects.get_or_create(
            path=f"{ROOT}/{name}",
            defaults={"name": name, "level": 2, "parent": root, "is_enterprise": True, "public": False},
        )
    for urgency, minutes, days in DEADLINES:
        rule_model.objects.get_or_create(
            category=root, appeal_type="", urgency=urgency,
            defaults={"accept_office_minutes": minutes, "reply_working_days": days,
                      "remind_before_working_days": 2},
        )
    return root
