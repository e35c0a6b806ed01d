"""The ticket page's 派单 form: which unit it proposes."""

from __future__ import annotations

import pytest

from youhu.testing.factories import at, make_ticket
from youhu.tickets import services
from youhu.workflow.forms import DispatchForm

NOW = at("2026-03-02 09:30")
pytestmark = pytest.mark.django_db


def test_the_form_proposes_the_categorys_unit_until_that_unit_returns_the_ticket(district):
    ticket = services.register(make_ticket(now=NOW), by=district.dispatcher, category=district.category, now=NOW)
    assert DispatchForm(ticket=ticket).initial["unit"] == district.roads.pk

    services.dispatch(ticket, by=district.dispatcher, unit=district.roads, now=NOW)
    services.return_ticket(ticket, by=district.handler, reason="不属于本单位职责，应由街道处理", now=NOW)
    ticket.refresh_from_db()
    assert "unit" not in DispatchForm(ticket=ticket).initial
