"""The default deadline rules (12345 practice), shared by the data migration and by anything that
must restore reference data (tests that empty the database). Admins edit the rules as data."""

from __future__ import annotations

# Categories (by path; each switches off its subtree) whose appeals are not published on Open311 or /open/ by
# default: complaints about officials (纪检监察), criminal, police-conduct and court matters, disputes in arbitration,
# medical disputes, family planning and social assistance, where even a masked text can point at a person.
UNPUBLISHED_CATEGORY_PATHS: frozenset[str] = frozenset({
    "纪检监察",
    "政法/刑案侦破", "政法/刑罚执行", "政法/警务督察", "政法/诉讼", "政法/仲裁与调解", "政法/行政复议",
    "卫生计生/医患纠纷", "卫生计生/人口计生",
    "民政/社会救助", "民政/优抚",
})

# appeal_type ("" = any), urgency, accept within office minutes, reply within working days
DEFAULT_DEADLINE_RULES: list[tuple[str, str, int, int]] = [
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


def ensure_default_deadline_rules(DeadlineRule) -> None:  # noqa: N803 - the model, passed in by migrations
    for appeal_type, urgency, minutes, days in DEFAULT_DEADLINE_RULES:
        DeadlineRule.objects.get_or_create(
            category=None, appeal_type=appeal_type, urgency=urgency,
            defaults={"accept_office_minutes": minutes, "reply_working_days": days,
                      "remind_before_working_days": 1 if days <= 3 else 2},
        )
