"""Staff pages through the Django test client: login, queues, ticket list, inbox."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from youhu.testing.factories import at, make_user
from youhu.tickets import services
from youhu.tickets.models import Notification, Status

pytestmark = pytest.mark.django_db

PHONE = "13812345678"
MASKED_PHONE = "138****5678"


def login(client, user):
    client.force_login(user)
    return client


def test_login_page_is_chinese_and_logs_in(client, district):
    page = client.get(reverse("web:login"))
    assert page.status_code == 200
    assert "工作人员登录" in page.content.decode()
    bad = client.post(reverse("web:login"), {"username": "dispatcher", "password": "wrong"})
    assert bad.status_code == 200 and "用户名" in bad.content.decode()
    ok = client.post(reverse("web:login"), {"username": "dispatcher", "password": "pass-1234"})
    assert ok.status_code == 302 and ok["Location"] == reverse("web:home")
    home = client.get(reverse("web:home"))
    assert "有呼必应综合指挥调度平台" in home.content.decode()
    assert "区指挥中心" in home.content.decode()  # the user's unit in the header


def test_pages_need_login(client, district):
    for name in ("web:home", "web:ticket_list", "web:inbox"):
        response = client.get(reverse(name))
        assert response.status_code == 302 and reverse("web:login") in response["Location"]


def test_logout_is_a_post(client, district):
    login(client, district.dispatcher)
    response = client.post(reverse("web:logout"))
    assert response.status_code == 302
    assert client.get(reverse("web:home")).status_code == 302


def test_dispatcher_home_shows_each_queue(client, district):
    new = district.ticket_in(Status.NEW, title="待受理的诉求")
    registered = district.ticket_in(Status.REGISTERED, title="待派单的诉求")
    returned = district.ticket_in(Status.DISPATCHED, title="被退回的诉求")
    services.return_ticket(returned, by=district.handler, reason="不属于本单位职责")
    replied = district.ticket_in(Status.REPLIED, title="待回访的诉求")
    response = login(client, district.dispatcher).get(reverse("web:home"))
    queues = {q["queue"].key: q for s in response.context["sections"] for q in s["queues"]}
    assert [t.number for t in queues["new"]["tickets"]] == [new.number]
    assert [t.number for t in queues["to_dispatch"]["tickets"]] == [registered.number]
    assert [t.number for t in queues["returned"]["tickets"]] == [returned.number]
    assert [t.number for t in queues["to_review"]["tickets"]] == [replied.number]
    assert "to_accept" not in queues  # not a unit user
    assert "退单理由：不属于本单位职责" in response.content.decode()


def test_unit_home_shows_own_queues_and_never_other_units(client, district):
    to_accept = district.ticket_in(Status.DISPATCHED, title="待签收的诉求")
    handling = district.ticket_in(Status.HANDLING, title="办理中的诉求")
    overdue = district.ticket_in(Status.HANDLING, title="超期的诉求", now=at("2026-01-05 09:30"))
    other = district.ticket_in(Status.REGISTERED, title="环保局的诉求")
    services.dispatch(other, by=district.dispatcher, unit=district.env, now=at("2026-03-02 09:30"))
    co = district.ticket_in(Status.REGISTERED, title="需要协办的诉求")
    services.dispatch(co, by=district.dispatcher, unit=district.env, co_units=[district.roads],
                      now=at("2026-03-02 09:30"))

    from unittest import mock

    with mock.patch("youhu.clock.now", return_value=at("2026-03-03 10:00")):
        response = login(client, district.handler).get(reverse("web:home"))
    queues = {q["queue"].key: q for s in response.context["sections"] for q in s["queues"]}
    numbers = lambda key: {t.number for t in queues[key]["tickets"]}  # noqa: E731
    assert numbers("to_accept") == {to_accept.number}
    assert numbers("handling") == {handling.number, overdue.number}
    assert numbers("unit_overdue") == {overdue.number}
    assert numbers("co_requests") == {co.number}
    assert "new" not in queues
    body = response.content.decode()
    assert other.number not in body
    assert "环保局的诉求" not in body


def test_unit_due_soon_queue(client, district):
    from unittest import mock

    ticket = district.ticket_in(Status.HANDLING, title="即将到期的诉求")
    # reply_due is 15 working days after 2026-03-02; two working days before that it is "due soon".
    before = ticket.reply_due.replace(hour=10) - __import__("datetime").timedelta(days=2)
    with mock.patch("youhu.clock.now", return_value=before):
        response = login(client, district.handler).get(reverse("web:home"))
    queues = {q["queue"].key: q for s in response.context["sections"] for q in s["queues"]}
    assert [t.number for t in queues["due_soon"]["tickets"]] == [ticket.number]
    assert "即将到期" in response.content.decode()


def test_supervisor_home_lists_extension_requests_and_overdue(client, district):
    ticket = district.ticket_in(Status.HANDLING, title="申请延期的诉求", now=at("2026-03-02 09:30"))
    services.request_extension(ticket, by=district.handler, working_days=5, reason="需要协调施工队",
                               now=at("2026-03-03 10:00"))
    late = district.ticket_in(Status.HANDLING, title="早已超期的诉求", now=at("2025-11-03 09:30"))
    response = login(client, district.supervisor).get(reverse("web:home"))
    queues = {q["queue"].key: q for s in response.context["sections"] for q in s["queues"]}
    assert [t.number for t in queues["extensions"]["tickets"]] == [ticket.number]
    assert late.number in {t.number for t in queues["overdue"]["tickets"]}


def test_empty_queues_say_so_in_chinese(client, district):
    body = login(client, district.handler).get(reverse("web:home")).content.decode()
    assert "没有待签收的工单" in body
    assert "没有超期工单" in body


def test_service_officer_home_links_to_enterprise(client, district):
    officer = make_user("cso", "service_officer", unit=district.street_office)
    body = login(client, officer).get(reverse("web:home")).content.decode()
    assert "企业服务" in body


def test_ticket_list_filters_and_masks(client, district):
    mine = district.ticket_in(Status.HANDLING, title="路灯不亮", appellant_name="张三", appellant_phone=PHONE)
    district.ticket_in(Status.NEW, title="噪音扰民")
    login(client, district.dispatcher)
    everything = client.get(reverse("web:ticket_list"))
    assert everything.context["page"].paginator.count == 2
    by_status = client.get(reverse("web:ticket_list"), {"status": "handling"})
    assert [t.number for t in by_status.context["page"]] == [mine.number]
    by_text = client.get(reverse("web:ticket_list"), {"q": "噪音"})
    assert [t.title for t in by_text.context["page"]] == ["噪音扰民"]
    by_number = client.get(reverse("web:ticket_list"), {"q": mine.number})
    assert [t.number for t in by_number.context["page"]] == [mine.number]
    by_unit = client.get(reverse("web:ticket_list"), {"unit": district.roads.pk})
    assert [t.number for t in by_unit.context["page"]] == [mine.number]
    by_category = client.get(reverse("web:ticket_list"), {"category": district.category.parent.parent.pk})
    assert [t.number for t in by_category.context["page"]] == [mine.number]
    by_date = client.get(reverse("web:ticket_list"), {"date_from": "2026-03-03"})
    assert by_date.context["page"].paginator.count == 0
    assert "没有符合条件的工单" in by_date.content.decode()
    bad_range = client.get(reverse("web:ticket_list"), {"date_from": "2026-03-03", "date_to": "2026-03-01"})
    assert "结束日期不能早于开始日期" in bad_range.content.decode()
    # The dispatcher took the call: the full phone. A co-handling unit sees it masked.
    assert PHONE in everything.content.decode()


def test_ticket_list_paginates(client, district):
    for i in range(32):
        district.ticket_in(Status.NEW, title=f"诉求{i}")
    login(client, district.dispatcher)
    first = client.get(reverse("web:ticket_list"))
    assert len(first.context["page"].object_list) == 30
    second = client.get(reverse("web:ticket_list"), {"page": 2})
    assert len(second.context["page"].object_list) == 2
    assert "第 2 / 2 页" in second.content.decode()


def test_ticket_list_queue_view_is_limited_to_the_users_queue(client, district):
    district.ticket_in(Status.NEW)
    dispatched = district.ticket_in(Status.DISPATCHED)
    login(client, district.handler)
    response = client.get(reverse("web:ticket_list"), {"queue": "to_accept"})
    assert [t.number for t in response.context["page"]] == [dispatched.number]
    # A queue of another role falls back to what the user may see anyway.
    response = client.get(reverse("web:ticket_list"), {"queue": "new"})
    assert [t.number for t in response.context["page"]] == [dispatched.number]


def test_unit_list_never_shows_other_units_tickets(client, district):
    district.ticket_in(Status.HANDLING)
    response = login(client, district.env_handler).get(reverse("web:ticket_list"))
    assert response.context["page"].paginator.count == 0
    assert "暂无工单" in response.content.decode()


def test_inbox_lists_user_and_unit_messages_and_marks_read(client, district):
    ticket = district.ticket_in(Status.DISPATCHED)  # dispatch notifies the roads unit
    services.notify(ticket=ticket, kind="remind", message="请尽快签收", now=at("2026-03-02 10:00"),
                    users=[district.handler])
    services.notify(ticket=None, kind="remind", message="别人的消息", now=at("2026-03-02 10:00"),
                    units=[district.env])
    login(client, district.handler)
    page = client.get(reverse("web:inbox"))
    body = page.content.decode()
    assert "请尽快签收" in body and f"新工单 {ticket.number}" in body
    assert "别人的消息" not in body
    assert page.context["unread_count"] == 2
    assert "消息 <span class=\"count-pill\">2</span>" in body
    one = Notification.objects.get(message="请尽快签收")
    client.post(reverse("web:inbox_mark_read"), {"id": one.pk})
    one.refresh_from_db()
    assert one.read_at is not None
    unread = client.get(reverse("web:inbox"), {"unread": "1"})
    assert [n.message for n in unread.context["page"]] == [f"新工单 {ticket.number}：{ticket.title}"]
    client.post(reverse("web:inbox_mark_read"), {"all": "1"})
    assert client.get(reverse("web:inbox")).context["unread_count"] == 0
    other = Notification.objects.get(message="别人的消息")
    client.post(reverse("web:inbox_mark_read"), {"id": other.pk})
    other.refresh_from_db()
    assert other.read_at is None  # another unit's message cannot be touched


def test_filter_selects_keep_the_choice_and_escape_names(client, district):
    from youhu.testing.factories import make_unit

    make_unit("<b>测试</b>单位")
    response = login(client, district.dispatcher).get(reverse("web:ticket_list"), {"unit": district.roads.pk})
    body = response.content.decode()
    assert f'<option value="{district.roads.pk}" selected>区住房建设和交通局</option>' in body
    assert "&lt;b&gt;测试&lt;/b&gt;单位" in body and "<b>测试</b>" not in body


def test_opening_a_ticket_reads_its_messages(client, district):
    ticket = district.ticket_in(Status.DISPATCHED)  # "新工单" to the roads unit
    other = district.ticket_in(Status.DISPATCHED)
    login(client, district.handler)
    assert client.get(reverse("web:inbox")).context["unread_count"] == 2
    client.get(reverse("web:ticket_detail", args=[ticket.number]))
    assert ticket.notifications.get().read_at is not None
    assert other.notifications.get().read_at is None


def test_mark_read_redirects_only_inside_the_site(client, district):
    login(client, district.handler)
    inside = client.post(reverse("web:inbox_mark_read"), {"all": "1", "next": "/inbox/?unread=1"})
    assert inside["Location"] == "/inbox/?unread=1"
    for evil in ("https://evil.example/", "//evil.example/", "/\\evil.example/"):
        response = client.post(reverse("web:inbox_mark_read"), {"all": "1", "next": evil})
        assert response["Location"] == reverse("web:inbox")


def test_ticket_list_pages_end_at_the_count_cap(monkeypatch, client, district):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from youhu.tickets import search
    from youhu.web import views

    for i in range(7):
        district.ticket_in(Status.NEW, title=f"诉求{i}")
    monkeypatch.setattr(search, "COUNT_CAP", 4)
    monkeypatch.setattr(views, "LIST_PAGE_SIZE", 3)
    login(client, district.dispatcher)
    with CaptureQueriesContext(connection) as queries:
        deep = client.get(reverse("web:ticket_list"), {"page": 1000})
    page = deep.context["page"]
    # Page 1000 is the last page of the capped count: rows 4..4 of the newest, never an offset past the cap.
    assert (page.number, page.paginator.num_pages, len(page.object_list)) == (2, 2, 1)
    offsets = [int(m) for q in queries.captured_queries for m in re.findall(r"OFFSET (\d+)", q["sql"])]
    assert offsets and max(offsets) <= 4
    assert "只列出最新的 4 件" in deep.content.decode()
