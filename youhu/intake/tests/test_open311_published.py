"""Open311 reads publish only what may be published: published categories, masked text, the street, rate-limited."""

import json

import pytest
from django.conf import settings
from django.core.cache import caches
from django.test import Client

from youhu.intake.tests.test_portal import submitted
from youhu.testing.factories import make_category
from youhu.tickets import services
from youhu.tickets.models import Status, Ticket

WINDOW = "start_date=2026-03-01T00:00:00%2B08:00&end_date=2026-03-03T00:00:00%2B08:00"
REPLY = "李四先生您好：经核查，路灯线路老化，已更换。如有疑问请联系13922220000。"


@pytest.fixture(autouse=True)
def fresh_rate_limits(db):
    caches[settings.RATELIMIT_USE_CACHE].clear()


def feed(client) -> list[dict]:
    resp = client.get(f"/open311/v2/requests.json?{WINDOW}")
    assert resp.status_code == 200, resp.content
    return resp.json()


@pytest.mark.django_db
def test_reply_and_description_are_masked_and_the_address_is_not_published(client, district):
    ticket = district.ticket_in(Status.HANDLING, appellant_name="李四", appellant_phone="13922220000",
                                address="新港东路 88 号 3 栋", lat=23.106789, lon=113.364321,
                                content="我叫李四，住新港东路 88 号 3 栋，电话 13922220000，楼下路灯坏了。")
    services.reply(ticket, by=district.handler, text=REPLY)
    [row] = feed(client)
    text = json.dumps(row, ensure_ascii=False)
    for secret in ("李四", "13922220000", "88 号", "新港东路 88"):
        assert secret not in text, text
    assert row["status_notes"].startswith("某某先生您好：经核查") and "[电话]" in row["status_notes"]
    assert "楼下路灯坏了" in row["description"]
    assert row["lat"] == 23.107 and row["long"] == 113.364
    one = client.get(f"/open311/v2/requests/{ticket.number}.json").json()
    assert one == [row]


@pytest.mark.django_db
def test_only_published_categories_reach_the_feed(client, district):
    shown = district.ticket_in(Status.HANDLING)
    secret = make_category("纪检监察/干部作风/工作人员态度")
    secret.root.published = False
    secret.root.save()
    hidden = district.ticket_in(Status.REGISTERED)
    Ticket.objects.filter(pk=hidden.pk).update(category=secret)
    report = district.ticket_in(Status.HANDLING, appeal_type="report")
    numbers = {r["service_request_id"] for r in feed(client)}
    assert numbers == {shown.number}
    for number in (hidden.number, report.number):
        assert client.get(f"/open311/v2/requests/{number}.json").status_code == 404
        assert client.get(f"/open311/v2/requests.json?service_request_id={number}").json() == []


@pytest.mark.django_db
def test_merged_duplicate_shows_its_own_outcome_not_the_masters_reply(client, district):
    master = district.ticket_in(Status.HANDLING)
    services.reply(master, by=district.handler, text=REPLY)
    resident = Client()
    number, _code = submitted(resident)
    duplicate = Ticket.objects.get(number=number)
    Ticket.objects.filter(pk=duplicate.pk).update(category=district.category, created_at=master.created_at)
    services.merge(Ticket.objects.get(pk=duplicate.pk), by=district.dispatcher, into=master)
    [row] = [r for r in feed(client) if r["service_request_id"] == number]
    assert row["status_notes"] == f"已与工单 {master.number} 合并办理，该工单待回访"
    page = resident.get(f"/portal/track/{number}/").content.decode()
    assert "已合并到该工单办理" in page and "待回访" in page
    assert "李四" not in page and "13922220000" not in page and "路灯线路老化" in page  # masked, not hidden


@pytest.mark.django_db
def test_reads_are_rate_limited_per_address(client, district, settings):
    settings.YOUHU_OPEN311_READ_RATE = "3/d"
    ticket = district.ticket_in(Status.HANDLING)
    assert [client.get(f"/open311/v2/requests/{ticket.number}.json").status_code for _ in range(2)] == [200, 200]
    assert client.get(f"/open311/v2/requests.json?{WINDOW}").status_code == 200
    limited = client.get(f"/open311/v2/requests.xml?{WINDOW}")
    assert limited.status_code == 429 and b"<code>429</code>" in limited.content
    assert client.get(f"/open311/v2/requests/{ticket.number}.json").json()[0]["code"] == 429
    other = Client(REMOTE_ADDR="10.0.0.9")
    assert other.get(f"/open311/v2/requests.json?{WINDOW}").status_code == 200
    assert client.get("/open311/v2/services.json").status_code == 200  # the service list stays open


@pytest.mark.django_db
def test_list_costs_two_queries_whatever_its_length_and_stops_at_the_cap(monkeypatch, client, district):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from youhu.intake import open311

    def ticket_queries(n: int) -> tuple[int, list[str]]:
        while len(feed(client)) < n:
            district.ticket_in(Status.CLOSED)
        with CaptureQueriesContext(connection) as queries:
            rows = feed(client)
        return sum('"tickets_ticket' in q["sql"] for q in queries.captured_queries), rows

    few, _ = ticket_queries(2)
    many, _ = ticket_queries(6)
    assert few == many == 2  # the tickets with their joins, then their public events: none per row
    monkeypatch.setattr(open311, "MAX_REQUESTS", 4)
    _, capped = ticket_queries(4)
    newest = Ticket.objects.order_by("-created_at", "-id").values_list("number", flat=True)[:4]
    assert [r["service_request_id"] for r in capped] == list(newest)
