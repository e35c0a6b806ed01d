"""Search by number, part of a number, keyword of title or text; registration days as a range."""

from __future__ import annotations

from datetime import date

from youhu.testing.factories import at, make_ticket
from youhu.tickets.models import Notification, Ticket
from youhu.tickets.search import created_between, search
from youhu.web.inbox import unread_count


def _numbers(qs) -> set[str]:
    return set(qs.values_list("number", flat=True))


def test_full_number_part_of_number_and_keywords(db):
    lamp = make_ticket(title="路灯不亮", content="小区门口路灯连续一周不亮")
    noise = make_ticket(title="噪音扰民", content="夜间施工井盖敲击声很大")
    everything = Ticket.objects.all()
    assert _numbers(search(everything, f"  {lamp.number} ")) == {lamp.number}
    assert _numbers(search(everything, lamp.number[:11])) == {lamp.number, noise.number}  # the day's numbers
    assert _numbers(search(everything, "井盖敲击")) == {noise.number}  # in the text, not the title
    assert _numbers(search(everything, "路灯不亮")) == {lamp.number}
    assert _numbers(search(everything, "")) == {lamp.number, noise.number}
    assert _numbers(search(everything, "20260302-999999")) == set()


def test_registration_days_are_local_days_both_included(db):
    # 00:10 on 3 March in Guangzhou is 2 March in UTC: the local day counts.
    early = make_ticket(now=at("2026-03-03 00:10"))
    late = make_ticket(now=at("2026-03-04 23:50"))
    everything = Ticket.objects.all()
    assert _numbers(created_between(everything, date(2026, 3, 3), date(2026, 3, 3))) == {early.number}
    assert _numbers(created_between(everything, date(2026, 3, 3), date(2026, 3, 4))) == {early.number, late.number}
    assert _numbers(created_between(everything, date(2026, 3, 4), None)) == {late.number}
    assert _numbers(created_between(everything, None, date(2026, 3, 2))) == set()


def test_unread_badge_counts_each_message_once(district):
    ticket = make_ticket()
    handler = district.handler
    now = at("2026-03-02 10:00")
    for fields in ({"user": handler}, {"unit": district.roads}, {"user": handler, "unit": district.roads},
                   {"unit": district.env}, {"user": handler, "read_at": now}):
        Notification.objects.create(ticket=ticket, kind="dispatch", message="新工单", created_at=now, **fields)
    assert unread_count(handler) == 3
    assert unread_count(district.env_handler) == 1


def test_counts_stop_at_the_cap_in_the_list_and_the_api(monkeypatch, district, client, dispatcher_api):
    from youhu.tickets import search as search_module

    for _ in range(3):
        make_ticket()
    monkeypatch.setattr(search_module, "COUNT_CAP", 2)
    assert search_module.count_upto(Ticket.objects.all()) == (2, True)
    client.force_login(district.dispatcher)
    page = client.get("/tickets/", secure=True)
    assert page.context["page"].paginator.capped and "共 2+ 件" in page.content.decode()
    assert dispatcher_api.get("/api/tickets?page_size=1").json()["count"] is None
    monkeypatch.setattr(search_module, "COUNT_CAP", 3)
    assert dispatcher_api.get("/api/tickets?page_size=1").json()["count"] == 3


def test_home_queue_tiles_stop_at_the_cap(monkeypatch, district, client):
    from youhu.tickets import search as search_module
    from youhu.tickets.models import Status

    for _ in range(3):
        district.ticket_in(Status.HANDLING)
    monkeypatch.setattr(search_module, "COUNT_CAP", 2)
    client.force_login(district.handler)
    handling = next(q for s in client.get("/", secure=True).context["sections"] for q in s["queues"]
                    if q["queue"].key == "handling")
    assert (handling["count"], handling["capped"]) == (2, True)
