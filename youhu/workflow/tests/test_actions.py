"""The action table: one row per lifecycle action, read alike by the staff page and the REST API."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from youhu.testing.factories import at
from youhu.tickets import services
from youhu.tickets.errors import InvalidInput
from youhu.tickets.models import Extension, Status
from youhu.tickets.policy import RULES
from youhu.tickets.selectors import merge_target
from youhu.workflow.actions import ACTIONS, API_ACTIONS, PAGE_ACTIONS, offered
from youhu.workflow.api import ActionName
from youhu.workflow.inputs import INPUT_FIELDS

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clock(monkeypatch):
    monkeypatch.setattr("youhu.clock.now", lambda: at("2026-03-03 10:00"))


def api_post(client, ticket, action, body):
    return client.post(f"/api/tickets/{ticket.number}/actions/{action}", json.dumps(body),
                       content_type="application/json")


def page_post(client, user, ticket, action, data):
    client.force_login(user)
    return client.post(reverse("web:ticket_act", args=[ticket.number, action]), {"version": ticket.version, **data})


def test_every_action_the_permission_table_knows_has_a_row_on_the_page():
    assert set(RULES) <= set(PAGE_ACTIONS)
    assert ActionName.__args__ == API_ACTIONS  # the API's action names are the table's


@pytest.mark.parametrize("code", list(ACTIONS))
def test_each_row_reads_inputs_that_exist_and_its_form_feeds_only_those(code):
    action = ACTIONS[code]
    assert set(action.reads) <= INPUT_FIELDS
    form = action.form()
    fed = {form.renamed.get(name, name) for name in form.fields} - {"version"}
    assert fed <= set(action.reads), f"{code}: the form posts {fed - set(action.reads)}, which the action ignores"
    assert action.label != code  # every action has its Chinese label


def test_an_unknown_merge_target_is_the_same_error_on_the_page_and_in_the_api(client, district, api_as):
    dup = district.ticket_in(Status.REGISTERED)
    page = page_post(client, district.dispatcher, dup, "merge", {"into": "20990101-000001"})
    api = api_post(api_as(district.dispatcher), dup, "merge", {"into": "20990101-000001"})
    assert page.status_code == api.status_code == 400
    assert api.json() == {"code": "invalid_input", "message": "找不到工单 20990101-000001", "field": "into"}
    assert api.json()["message"] in page.content.decode()


def test_the_merge_target_must_be_visible_to_the_actor(district):
    """A unit cannot merge into a ticket it may not see (the number alone gives nothing away)."""
    other = district.ticket_in(Status.REGISTERED)
    services.dispatch(other, by=district.dispatcher, unit=district.env, now=at("2026-03-02 10:00"))
    with pytest.raises(InvalidInput, match=f"找不到工单 {other.number}"):
        merge_target(district.handler, other.number)
    assert merge_target(district.dispatcher, f" {other.number} ") == other


def test_the_api_parses_only_the_fields_an_action_reads(district, api_as):
    ticket = district.ticket_in(Status.DISPATCHED)
    # `unit` belongs to dispatch and transfer: accept ignores it, as the API has always documented.
    resp = api_post(api_as(district.handler), ticket, "accept", {"unit": 2**40, "category": "C999"})
    assert resp.status_code == 200 and resp.json()["status"] == "handling"
    resp = api_post(api_as(district.dispatcher), ticket, "transfer", {"unit": 2**40, "reason": "职责不符"})
    assert resp.status_code == 400 and resp.json()["field"] == "unit"


def test_an_extension_is_decided_alike_from_the_page_and_the_api(client, district, api_as):
    ticket = district.ticket_in(Status.HANDLING)
    supervisor = api_as(district.supervisor)
    resp = api_post(supervisor, ticket, "decide_extension", {"approve": True})
    assert resp.status_code == 400 and resp.json()["field"] == "extension"
    assert "decide_extension" not in offered(district.supervisor, ticket)  # the page offers no empty form
    services.request_extension(ticket, by=district.handler, working_days=3, reason="需协调", now=at("2026-03-03 09:00"))
    assert "decide_extension" in offered(district.supervisor, ticket)
    resp = api_post(supervisor, ticket, "decide_extension", {"reason": "同意"})
    assert resp.status_code == 400 and resp.json()["field"] == "approve"
    assert api_post(supervisor, ticket, "decide_extension", {"approve": True}).status_code == 200
    assert Extension.objects.get(ticket=ticket).state == Extension.State.APPROVED


def test_escalation_reaches_the_main_unit_from_either_channel(client, district, api_as):
    ticket = district.ticket_in(Status.REGISTERED)
    services.dispatch(ticket, by=district.dispatcher, unit=district.roads, co_units=[district.env],
                      now=at("2026-03-02 10:00"))
    assert api_post(api_as(district.supervisor), ticket, "supervise", {"reason": "请今日内回复"}).status_code == 200
    ticket.refresh_from_db()
    assert page_post(client, district.supervisor, ticket, "notice", {"message": "书面通报"}).status_code == 302
    for kind in ("supervise", "notice"):
        assert list(ticket.notifications.filter(kind=kind).values_list("unit", flat=True)) == [district.roads.pk]


def test_a_page_error_about_a_renamed_field_is_shown_at_that_field(client, district):
    ticket = district.ticket_in(Status.HANDLING)
    response = page_post(client, district.supervisor, ticket, "supervise", {"message": " "})
    assert response.status_code == 400
    form = response.context["action_forms"][0]["form"]
    assert form.errors == {"message": ["请填写督办内容"]}


def test_release_reply_is_the_apis_and_the_workspaces_not_the_ticket_pages(client, district, api_as):
    ticket = district.ticket_in(Status.HANDLING)
    services.reply(ticket, by=district.handler, text="已处理。", now=at("2026-03-03 09:00"))
    services.withhold_reply(ticket, by=None, reason="质检")
    assert page_post(client, district.supervisor, ticket, "release_reply", {"reason": "可以"}).status_code == 404
    resp = api_post(api_as(district.supervisor), ticket, "release_reply", {"reason": "可以"})
    assert resp.status_code == 200
    ticket.refresh_from_db()
    assert not ticket.reply_withheld
    again = api_post(api_as(district.supervisor), ticket, "release_reply", {})
    assert again.status_code == 409  # nothing held any more: said, not silently repeated
