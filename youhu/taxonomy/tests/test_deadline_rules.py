"""Deadline rules looked up once per batch of work, and never remembered beyond it."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from youhu.taxonomy.models import (
    AppealType,
    DeadlineRule,
    Urgency,
    deadline_rule_for,
    remembered_deadline_rules,
)
from youhu.testing.factories import make_category


@pytest.mark.django_db
def test_a_batch_reads_each_rule_once_and_sees_edits_made_before_the_next_batch(district):
    category = make_category("城乡建设/路灯")
    with remembered_deadline_rules(), CaptureQueriesContext(connection) as queries:
        first = deadline_rule_for(category, AppealType.HELP, Urgency.NORMAL)
        assert deadline_rule_for(category, AppealType.HELP, Urgency.NORMAL) == first
        deadline_rule_for(category, AppealType.COMPLAINT, Urgency.NORMAL)
    assert len(queries) == 2  # one per distinct question
    own = DeadlineRule.objects.create(category=category, appeal_type="", urgency=Urgency.NORMAL,
                                      accept_office_minutes=30, reply_working_days=2)
    with remembered_deadline_rules():
        assert deadline_rule_for(category, AppealType.HELP, Urgency.NORMAL) == own
    assert deadline_rule_for(category, AppealType.HELP, Urgency.NORMAL) == own
