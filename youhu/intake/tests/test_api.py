"""REST API: keys, create/list/get, lifecycle actions, errors, idempotency, visibility and masking."""

import json
import re

import pytest
from django.core.management import call_command
from django.test import Client

from youhu.access.models import ApiKey
from youhu.intake.models import IdempotencyRecord
from youhu.testing.factories import make_area
from youhu.tickets.models import Channel, Status, Ticket, TicketEvent

APPEAL = {"title": "路灯不亮", "content": "新港东路 88 号门口路灯一周不亮", "appellant_name": "张三",
          "appellant_phone": "13800138000"}


def post(client, url, data, **headers):
    return client.post(url, json.dumps(data), content_type="application/json", headers=headers)


@pytest.mark.django_db
def test_create_returns_number_tracking_code_and_triages(dispatcher_api, district):
    resp = post(dispatcher_api, "/api/tickets", {**APPEAL, "street": district.street.pk})
    assert resp.status_code == 201, resp.content
    body = resp.json()
    ticket = Ticket.objects.get(number=body["number"])
    assert ticket.channel == Channel.API and body["channel"] == "api"
    assert ticket.status == Status.REGISTERED == body["status"]  # triage ran
    assert len(body["tracking_code"]) == 8
    assert body["created_at"].endswith("+08:00")
    assert body["street"] == {"id": district.street.pk, "name": "琶洲街道"}
    actions = list(ticket.events.values_list("action", flat=True))
    assert actions[0] == "create" and "register" in actions


@pytest.mark.django_db
def test_triage_failure_keeps_ticket_new(dispatcher_api, monkeypatch):
    def broken(tickets, now=None):
        raise RuntimeError("model missing")

    monkeypatch.setattr("youhu.dispatch.services.triage_many", broken)
    resp = post(dispatcher_api, "/api/tickets", APPEAL)
    assert resp.status_code == 201
    assert Ticket.objects.get(number=resp.json()["number"]).status == Status.NEW


@pytest.mark.django_db
def test_authentication_required_and_revoked_key_refused(district, client):
    assert client.get("/api/tickets").status_code == 401
    out = __import__("io").StringIO()
    call_command("apikey", "create", "--user", "dispatcher", stdout=out)
    key = out.getvalue().strip()
    stored = ApiKey.objects.get()
    assert key.startswith(stored.prefix) and key not in stored.key_hash and len(stored.key_hash) == 64
    assert client.get("/api/tickets", headers={"X-Api-Key": key}).status_code == 200
    assert client.get("/api/tickets", headers={"Authorization": f"Bearer {key}"}).status_code == 200
    call_command("apikey", "revoke", stored.prefix, stdout=out)
    assert client.get("/api/tickets", headers={"X-Api-Key": key}).status_code == 401


@pytest.mark.django_db
def test_session_auth_for_staff_pages(district, client):
    client.force_login(district.dispatcher)
    assert client.get("/api/tickets").status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("data, field, status", [
    ({"content": "x"}, "title", 400),
    ({"title": "", "content": "内容"}, "title", 400),
    ({"title": "标题" * 200, "content": "内容"}, "title", 400),
    ({"title": "t", "content": "c" * 5001}, "content", 400),
    ({"title": "t", "content": "c", "lat": 95, "lon": 10}, "lat", 400),
    ({"title": "t", "content": "c", "lat": 30}, "long", 400),
    ({"title": "t", "content": "c", "lat": "north", "lon": 1}, "lat", 400),
    ({"title": "t", "content": "c", "appellant_phone": "call me"}, "appellant_phone", 400),
    ({"title": "t", "content": "c", "category": "C9999"}, "category", 400),
    ({"title": "t", "content": "c", "street": 99999}, "street", 400),
    ({"title": "t", "content": "c", "channel": "pigeon"}, "channel", 400),
    ({"title": "t\x00", "content": "c"}, "title", 400),
])
def test_bad_input_is_a_field_error_and_stores_nothing(dispatcher_api, data, field, status):
    resp = post(dispatcher_api, "/api/tickets", data)
    assert resp.status_code == status, resp.content
    assert resp.json()["field"] == field
    assert resp.json()["message"]
    assert not Ticket.objects.exists()


@pytest.mark.django_db
def test_idempotency_key_replays_first_result(dispatcher_api):
    first = post(dispatcher_api, "/api/tickets", APPEAL, **{"Idempotency-Key": "k-1"})
    again = post(dispatcher_api, "/api/tickets", APPEAL, **{"Idempotency-Key": "k-1"})
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert Ticket.objects.count() == 1
    other = post(dispatcher_api, "/api/tickets", {**APPEAL, "title": "别的"}, **{"Idempotency-Key": "k-1"})
    assert other.status_code == 422 and other.json()["code"] == "idempotency_key_reused"
    assert Ticket.objects.count() == 1
    assert post(dispatcher_api, "/api/tickets", APPEAL).status_code == 201  # no key: a new ticket
    assert Ticket.objects.count() == 2 and IdempotencyRecord.objects.count() == 1


@pytest.mark.django_db
def test_idempotency_records_are_forgotten_after_a_week(dispatcher_api):
    from datetime import timedelta

    from youhu import clock
    from youhu.intake.idempotency import KEEP, purge_expired
    from youhu.intake.tasks import purge_idempotency_records

    for key in ("old", "new"):
        assert post(dispatcher_api, "/api/tickets", APPEAL, **{"Idempotency-Key": key}).status_code == 201
    IdempotencyRecord.objects.filter(key="old").update(created_at=clock.now() - KEEP - timedelta(minutes=1))
    purge_idempotency_records.call_local()
    assert list(IdempotencyRecord.objects.values_list("key", flat=True)) == ["new"]
    assert purge_expired(clock.now() + KEEP + timedelta(minutes=1)) == 1
    # A forgotten key makes a new request again.
    assert post(dispatcher_api, "/api/tickets", APPEAL, **{"Idempotency-Key": "old"}).status_code == 201
    assert Ticket.objects.count() == 3


@pytest.mark.django_db
def test_external_id_is_unique_per_channel(dispatcher_api):
    data = {**APPEAL, "external_id": "APP-7"}
    assert post(dispatcher_api, "/api/tickets", data).status_code == 201
    resp = post(dispatcher_api, "/api/tickets", data)
    assert resp.status_code == 409 and resp.json()["field"] == "external_id"


GOOD_REPLY = (
    "您好！关于您反映的路灯不亮问题，经我局现场核查，系供电线路老化导致路灯熄灭。我局已于次日更换线路和灯具，现已恢复照明。"
    "依据《城市道路照明设施管理规定》，我局将加强该路段日常巡查。如有疑问请致电 020-12345678 联系市政科。"
)


@pytest.mark.django_db
def test_lifecycle_through_actions(district, api_as):
    dispatcher, handler = api_as(district.dispatcher), api_as(district.handler)
    number = post(dispatcher, "/api/tickets", APPEAL).json()["number"]
    base = f"/api/tickets/{number}/actions"
    resp = post(dispatcher, f"{base}/dispatch", {"unit": district.roads.pk, "category": district.category.code})
    assert resp.status_code == 200, resp.content
    assert resp.json()["main_unit"]["name"] == "区住房建设和交通局" and resp.json()["reply_due"]
    # the handler may not transfer; the dispatcher may not accept
    assert post(handler, f"{base}/transfer", {"unit": district.env.pk, "reason": "不归我"}).status_code == 403
    assert post(dispatcher, f"{base}/accept", {}).status_code == 403
    assert post(handler, f"{base}/accept", {}).json()["status"] == "handling"
    assert post(handler, f"{base}/accept", {}).json()["code"] == "invalid_transition"
    resp = post(handler, f"{base}/reply", {"text": ""})
    assert resp.status_code == 400 and resp.json()["field"] == "text"
    assert post(handler, f"{base}/reply", {"text": GOOD_REPLY}).json()["status"] == "replied"
    resp = post(dispatcher, f"{base}/review", {"resolved": True, "satisfaction": "satisfied"})
    assert resp.json()["status"] == "closed"
    detail = handler.get(f"/api/tickets/{number}").json()
    actions = [e["action"] for e in detail["events"]]
    assert actions[0] == "create" and actions[-4:] == ["dispatch", "accept", "reply", "review"]
    assert detail["allowed_actions"] == []


@pytest.mark.django_db
def test_a_poor_reply_through_the_api_is_held_for_a_supervisor(district, api_as):
    ticket = district.ticket_in(Status.HANDLING)
    resp = post(api_as(district.handler), f"/api/tickets/{ticket.number}/actions/reply", {"text": "已处理。"})
    assert resp.status_code == 200 and resp.json()["status"] == "replied"
    ticket.refresh_from_db()
    assert ticket.reply_withheld
    assert TicketEvent.objects.filter(ticket=ticket, action="withhold_reply").exists()


@pytest.mark.django_db
def test_units_see_only_their_tickets_and_masked_contacts(district, api_as):
    mine = district.ticket_in(Status.DISPATCHED, appellant_name="李四", appellant_phone="13912345678")
    new = district.ticket_in(Status.NEW)
    env = api_as(district.env_handler)
    assert env.get(f"/api/tickets/{mine.number}").status_code == 404
    assert env.get("/api/tickets").json()["count"] == 0
    roads = api_as(district.handler).get("/api/tickets").json()
    assert [t["number"] for t in roads["items"]] == [mine.number]
    assert roads["items"][0]["appellant"] == {"name": "李四", "phone": "13912345678"}
    supervisor = api_as(district.supervisor).get(f"/api/tickets/{mine.number}").json()
    assert supervisor["appellant"] == {"name": "李*", "phone": "139****5678"}
    assert {t["number"] for t in api_as(district.dispatcher).get("/api/tickets").json()["items"]} == {
        mine.number, new.number}


@pytest.mark.django_db
def test_list_filters_and_pagination(district, dispatcher_api):
    for i in range(3):
        post(dispatcher_api, "/api/tickets", {**APPEAL, "title": f"第{i}件", "street": district.street.pk})
    other_street = make_area("新港街道")
    post(dispatcher_api, "/api/tickets", {**APPEAL, "channel": "hotline", "street": other_street.pk})
    district.ticket_in(Status.DISPATCHED)
    get = dispatcher_api.get
    assert get("/api/tickets?page_size=2").json()["count"] == 5
    assert len(get("/api/tickets?page_size=2&page=3").json()["items"]) == 1
    assert get(f"/api/tickets?street={district.street.pk}").json()["count"] == 3
    assert get("/api/tickets?channel=hotline").json()["count"] == 1
    assert get("/api/tickets?status=dispatched").json()["count"] == 1
    assert get(f"/api/tickets?unit={district.roads.pk}").json()["count"] == 1
    root = district.category.root.code
    assert get(f"/api/tickets?category={root}").json()["count"] == 1
    assert get("/api/tickets?created_from=2026-03-02&created_to=2026-03-02").json()["count"] == 1
    assert get("/api/tickets?created_from=yesterday").status_code == 400
    assert get("/api/tickets?page=0").status_code == 400


@pytest.mark.django_db
def test_openapi_document_and_docs(client):
    doc = client.get("/api/openapi.json").json()
    assert "/api/tickets" in doc["paths"] and "/api/tickets/{number}/actions/{action}" in doc["paths"]
    assert client.get("/api/docs").status_code == 200


@pytest.mark.django_db
def test_every_new_ticket_has_one_create_event(dispatcher_api):
    for _ in range(3):
        post(dispatcher_api, "/api/tickets", APPEAL)
    assert TicketEvent.objects.filter(action="create").count() == Ticket.objects.count() == 3


@pytest.mark.django_db
def test_staff_page_creates_and_revokes_own_keys(district, client):
    client.force_login(district.handler)
    page = client.post("/intake/keys/", {"name": "脚本"}).content.decode()
    secret = re.search(r'id="new-secret">([^<]+)<', page).group(1)
    assert client.get("/api/tickets", headers={"X-Api-Key": secret}).status_code == 200
    key = ApiKey.objects.get(user=district.handler)
    other = ApiKey.objects.create(user=district.env_handler, prefix="yh_other", key_hash="0" * 64,
                                  created_at=key.created_at)
    assert client.post(f"/intake/keys/{other.pk}/revoke/").status_code == 404  # not someone else's
    client.post(f"/intake/keys/{key.pk}/revoke/")
    assert Client().get("/api/tickets", headers={"X-Api-Key": secret}).status_code == 401


@pytest.mark.django_db
def test_supervise_needs_a_message_and_reaches_the_units(district, api_as):
    ticket = district.ticket_in(Status.HANDLING)
    supervisor = api_as(district.supervisor)
    url = f"/api/tickets/{ticket.number}/actions/supervise"
    assert post(supervisor, url, {"reason": " "}).json()["field"] == "reason"
    assert post(supervisor, url, {"reason": "请今日内回复"}).status_code == 200
    assert ticket.events.filter(action="supervise", reason="请今日内回复").exists()
    assert post(api_as(district.handler), url, {"reason": "x"}).status_code == 403


@pytest.mark.django_db
def test_admin_creates_key_and_shows_secret_once(district, client):
    district.admin.is_staff = district.admin.is_superuser = True
    district.admin.save()
    client.force_login(district.admin)
    resp = client.post("/admin/access/apikey/add/", {"user": district.handler.pk, "name": "网格 App"}, follow=True)
    key = ApiKey.objects.get(user=district.handler)
    secret = re.search(r"(yh_[0-9a-f]{8}\.[\w-]+)", resp.content.decode()).group(1)
    assert secret.startswith(key.prefix) and len(key.key_hash) == 64
    assert Client().get("/api/tickets", headers={"X-Api-Key": secret}).status_code == 200
