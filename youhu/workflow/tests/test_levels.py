"""Levels through the two doors (docs/levels.md): the REST API and the staff pages take 派至区 and 退回市级 from
the action table, and neither lets one district's staff see or act on another district's tickets."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from youhu.access.keys import create_api_key
from youhu.conftest import KeyClient
from youhu.testing.factories import City, at
from youhu.tickets.models import Status, Ticket

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clock(monkeypatch):
    monkeypatch.setattr("youhu.clock.now", lambda: at("2026-03-03 10:00"))


@pytest.fixture
def city(db) -> City:
    return City()


def api(user) -> KeyClient:
    return KeyClient(create_api_key(user, name="test").secret)


def act(client, ticket, action, body):
    return client.post(f"/api/tickets/{ticket.number}/actions/{action}", json.dumps(body),
                       content_type="application/json")


def test_the_api_sends_to_a_district_dispatches_on_and_returns(city):
    ticket = city.registered()
    city_api, a_api = api(city.dispatcher), api(city.a.dispatcher)
    assert a_api.get(f"/api/tickets/{ticket.number}").status_code == 404  # still the city's
    bad = act(city_api, ticket, "to_district", {"unit": city.a.dept.pk})
    assert bad.status_code == 400 and bad.json()["field"] == "unit"
    sent = act(city_api, ticket, "to_district", {"unit": city.a.centre.pk})
    assert sent.status_code == 200, sent.content
    detail = a_api.get(f"/api/tickets/{ticket.number}").json()
    assert {"dispatch", "return_to_city"} <= set(detail["allowed_actions"])
    assert "to_district" not in detail["allowed_actions"]
    assert [e["action"] for e in detail["events"]][-1] == "to_district"
    refused = act(a_api, ticket, "return_to_city", {})
    assert refused.status_code == 400 and refused.json()["field"] == "reason"
    back = act(a_api, ticket, "return_to_city", {"reason": "不属本区"})
    assert back.status_code == 200 and back.json()["district"] is None
    assert Ticket.objects.get(pk=ticket.pk).district is None
    act(city_api, ticket, "to_district", {"unit": city.a.centre.pk})
    wrong = act(a_api, ticket, "dispatch", {"unit": city.b.dept.pk})
    assert wrong.status_code == 400 and "不是海珠区的单位" in wrong.json()["message"]
    done = act(a_api, ticket, "dispatch", {"unit": city.a.dept.pk})
    assert done.status_code == 200 and done.json()["main_unit"]["id"] == city.a.dept.pk
    assert done.json()["district"] == {"id": city.a.district.pk, "name": "海珠区"}
    trail = [e["action"] for e in city_api.get(f"/api/tickets/{ticket.number}").json()["events"]]
    assert trail == ["create", "register", "to_district", "return_to_city", "to_district", "district_dispatch"]


def test_another_districts_staff_get_404_from_the_api(city):
    in_a = city.in_district(city.a, status=Status.HANDLING)
    in_b = city.in_district(city.b, status=Status.REGISTERED)
    for user in (city.b.dispatcher, city.b.supervisor, city.b.handler):
        client = api(user)
        assert client.get(f"/api/tickets/{in_a.number}").status_code == 404
        listed = {t["number"] for t in client.get("/api/tickets?page_size=200").json()["items"]}
        assert in_a.number not in listed
        for action, body in (("handle", {"note": "越权"}), ("supervise", {"reason": "越权"}),
                             ("return_to_city", {"reason": "越权"})):
            assert act(client, in_a, action, body).status_code == 404
    assert {t["number"] for t in api(city.b.dispatcher).get("/api/tickets").json()["items"]} == {in_b.number}
    city_api = api(city.supervisor)
    assert {t["number"] for t in city_api.get("/api/tickets").json()["items"]} == {in_a.number, in_b.number}
    by_district = city_api.get(f"/api/tickets?district={city.b.district.pk}").json()["items"]
    assert [(t["number"], t["district"]["name"]) for t in by_district] == [(in_b.number, "越秀区")]
    assert not Ticket.objects.get(pk=in_a.pk).events.filter(action__in=("handle", "supervise")).exists()


def test_pages_keep_districts_apart(client, city):
    in_a = city.in_district(city.a)
    at_city = city.registered(title="城市道路井盖缺失")
    client.force_login(city.b.dispatcher)
    assert client.get(reverse("web:ticket_detail", args=[in_a.number])).status_code == 404
    assert client.post(reverse("web:ticket_act", args=[in_a.number, "return_to_city"]),
                       {"version": in_a.version, "reason": "越权"}).status_code == 404
    for name in ("dispatch:dispatch", "dispatch:locate", "dispatch:retriage"):
        assert client.post(reverse(name, args=[in_a.number]), {"unit": city.b.dept.pk}).status_code == 404
    queue = client.get(reverse("dispatch:queue")).content.decode()
    assert in_a.number not in queue and at_city.number not in queue and "城市道路井盖缺失" not in queue
    listing = client.get(reverse("web:ticket_list") + "?queue=to_dispatch").content.decode()
    assert in_a.number not in listing
    listing = client.get(reverse("web:ticket_list")).content.decode()  # its filters name only its own units
    assert in_a.number not in listing and city.b.dept.name in listing and city.a.dept.name not in listing
    assert "yx街道" in listing and "hz街道" not in listing
    # District A's dispatcher: its ticket, with only its own units to dispatch to, and the way back to the city.
    client.force_login(city.a.dispatcher)
    page = client.get(reverse("web:ticket_detail", args=[in_a.number])).content.decode()
    assert "退回市级" in page and city.a.dept.name in page and city.b.dept.name not in page
    assert "派往：海珠区" in page and "所在区" in page  # the trail says where the city sent it
    assert in_a.number in client.get(reverse("dispatch:queue")).content.decode()
    assert at_city.number not in client.get(reverse("dispatch:queue")).content.decode()
    assert Ticket.objects.get(pk=in_a.pk).district == city.a.district  # none of the refused posts changed it


def test_the_city_page_sends_to_a_district_and_its_queue_shows_the_return(client, city):
    ticket = city.registered()
    client.force_login(city.dispatcher)
    page = client.get(reverse("web:ticket_detail", args=[ticket.number])).content.decode()
    assert "派至区" in page and "越秀区（越秀区指挥中心）" in page
    response = client.post(reverse("web:ticket_act", args=[ticket.number, "to_district"]),
                           {"version": ticket.version, "unit": city.a.centre.pk})
    assert response.status_code == 302
    assert Ticket.objects.get(pk=ticket.pk).district == city.a.district
    assert f'id="t-{ticket.number}"' not in client.get(reverse("dispatch:queue")).content.decode()
    client.force_login(city.a.dispatcher)
    ticket.refresh_from_db()
    client.post(reverse("web:ticket_act", args=[ticket.number, "return_to_city"]),
                {"version": ticket.version, "reason": "地点在越秀区"})
    client.force_login(city.dispatcher)
    returned = client.get(reverse("web:ticket_list") + "?queue=returned").content.decode()
    assert ticket.number in returned and "地点在越秀区" in returned


def test_the_city_queues_one_click_sends_to_the_suggested_units_district(client, city):
    from youhu.dispatch.models import Suggestion

    ticket = city.registered(street=city.a.street)
    Suggestion.objects.create(ticket=ticket, created_at=at("2026-03-02 09:31"), outcome=Suggestion.Outcome.QUEUED,
                              top=[{"label": "城乡建设", "confidence": 0.9, "category_id": city.category.pk}])
    client.force_login(city.dispatcher)
    queue = client.get(reverse("dispatch:queue")).content.decode()
    assert "派至海珠区</button>" in queue and f"派至{city.a.dept.name}</button>" not in queue
    client.post(reverse("dispatch:dispatch", args=[ticket.number]), {"option": "0"})
    ticket.refresh_from_db()
    assert (ticket.district, ticket.status, ticket.main_unit) == (city.a.district, Status.REGISTERED, None)
    client.force_login(city.a.dispatcher)  # 海珠区's queue offers the unit itself
    assert f"派至{city.a.dept.name}</button>" in client.get(reverse("dispatch:queue")).content.decode()
    client.post(reverse("dispatch:dispatch", args=[ticket.number]), {"option": "0"})
    ticket.refresh_from_db()
    assert (ticket.status, ticket.main_unit) == (Status.DISPATCHED, city.a.dept)
