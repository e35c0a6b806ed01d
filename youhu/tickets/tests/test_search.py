"""Search by number, part of a number, keyword of title or text; registration days as a range."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext

from youhu.testing.factories import at, make_ticket
from youhu.tickets import search as search_module
from youhu.tickets.models import Notification, Status, Ticket
from youhu.tickets.search import created_between, search
from youhu.tickets.selectors import visible_tickets
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


# ---------------------------------------------------------------- a common word walks, a rare one uses the index

postgres_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="the two plans are PostgreSQL's")


def _plan_of(qs) -> str:
    return "walk" if getattr(qs.query, search_module.NEWEST_FIRST, False) else "index"


def _same_as_plain_icontains(qs, text: str) -> list[str]:
    """`search` gives exactly the rows, order, capped count and pages of the plain icontains filter."""
    plain = qs.filter(Q(title__icontains=text) | Q(content__icontains=text)).order_by("-created_at", "-id")
    found = search(qs, text)
    assert list(found.order_by("-created_at", "-id").values_list("number", flat=True)) \
        == list(plain.values_list("number", flat=True))
    assert search_module.count_upto(found) == search_module.count_upto(plain)
    for start in (0, 2, 5):
        assert [t.number for t in found.order_by("-created_at", "-id")[start:start + 2]] \
            == [t.number for t in plain[start:start + 2]]
    return [_plan_of(found)]


@pytest.fixture
def small_probe(monkeypatch):
    # The newest 6 tickets are probed; 3 matches among them make a word common.
    monkeypatch.setattr(search_module, "PROBE_ROWS", 6)
    monkeypatch.setattr(search_module, "COMMON_MATCHES", 3)
    monkeypatch.setattr(search_module, "COUNT_CAP", 4)


def _year_of_tickets(district, texts: list[str]) -> list[Ticket]:
    start = at("2026-01-05 09:00")
    return [make_ticket(title=t[:10], content=t, now=start + timedelta(days=i))
            for i, t in enumerate(texts)]


def test_common_and_rare_words_give_the_plain_filters_rows_order_pages_and_count(district, small_probe):
    texts = ["井盖缺失，人行道", "路灯不亮", "井盖缺失有隐患", "噪音扰民", "WiFi 信号差", "井盖缺失已久",
             "楼顶违建", "小区井盖缺失", "wifi 断线", "井盖缺失无人管"]
    _year_of_tickets(district, texts)
    everything = Ticket.objects.all()
    common = _same_as_plain_icontains(everything, "井盖缺失")  # 4 of the newest 6
    rare = _same_as_plain_icontains(everything, "楼顶违建")  # 1 of 10
    cased = _same_as_plain_icontains(everything, "WIFI")  # upper and lower case both found
    assert _same_as_plain_icontains(everything, "没有这个词") == rare
    if connection.vendor == "postgresql":
        assert (common, rare, cased) == (["walk"], ["index"], ["index"])
    assert set(search(everything, "WIFI").values_list("content", flat=True)) == {"WiFi 信号差", "wifi 断线"}


def test_a_common_word_with_letter_case_is_found_in_either_case(district, small_probe):
    _year_of_tickets(district, ["WiFi 信号差", "路灯不亮", "wifi 断线", "WIFI 没有", "Wi-Fi 不算", "wIfI 慢"])
    everything = Ticket.objects.all()
    assert _same_as_plain_icontains(everything, "wifi") == (["walk"] if connection.vendor == "postgresql"
                                                             else ["index"])
    assert search(everything, "wifi").count() == 4


def test_mixed_filters_stay_correct_on_both_plans(district, small_probe):
    texts = ["井盖缺失"] * 8 + ["路灯不亮"] * 2
    made = _year_of_tickets(district, texts)
    for ticket in made[::3]:
        Ticket.objects.filter(pk=ticket.pk).update(status=Status.HANDLING, main_unit=district.roads)
    _same_as_plain_icontains(Ticket.objects.filter(status=Status.HANDLING), "井盖缺失")
    _same_as_plain_icontains(visible_tickets(district.handler), "井盖缺失")
    _same_as_plain_icontains(visible_tickets(district.env_handler), "井盖缺失")  # sees none of them


@postgres_only
def test_a_word_common_lately_is_counted_newest_first(district, small_probe):
    # Common in the newest tickets only: the walk counts from the newest, and stops at the cap.
    _year_of_tickets(district, ["路灯不亮"] * 20 + ["井盖缺失"] * 6)
    found = search(Ticket.objects.all(), "井盖缺失")
    assert _plan_of(found) == "walk"
    with CaptureQueriesContext(connection) as queries:
        assert search_module.count_upto(found) == (4, True)
    assert 'ORDER BY "tickets_ticket"."created_at" DESC' in queries.captured_queries[0]["sql"]


def test_uncased_keywords_are_those_without_letter_case():
    assert search_module._uncased("井盖缺失 12345，")
    assert not search_module._uncased("WiFi") and not search_module._uncased("ǅ") and not search_module._uncased("ß")


def test_ticket_list_search_pages_through_a_common_word(client, district, small_probe):
    made = _year_of_tickets(district, ["井盖缺失"] * 7)
    client.force_login(district.dispatcher)
    first = client.get("/tickets/", {"q": "井盖缺失"}, secure=True)
    assert first.context["page"].paginator.capped and "共 4+ 件" in first.content.decode()
    assert [t.number for t in first.context["page"]] == [t.number for t in reversed(made)][:4]
