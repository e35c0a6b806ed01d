"""The ticket page: what each role sees, exactly the allowed action forms, and each action's post."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from youhu.testing.factories import at, make_ticket, make_user
from youhu.tickets import services
from youhu.tickets.models import Extension, Satisfaction, Status, Ticket, TicketEvent

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clock(monkeypatch):
    """The page is used the day after the factories' tickets arrive, well inside every deadline."""
    monkeypatch.setattr("youhu.clock.now", lambda: at("2026-03-03 10:00"))

PHONE = "13812345678"
MASKED_PHONE = "138****5678"
ACT_RE = re.compile(r'action="/tickets/[^/]+/act/([a-z_]+)/"')


def page(client, user, ticket):
    client.force_login(user)
    return client.get(reverse("web:ticket_detail", args=[ticket.number]))


def forms_on(response) -> set[str]:
    return set(ACT_RE.findall(response.content.decode()))


def act(client, user, ticket, action, data=None, *, version=None):
    client.force_login(user)
    payload = {"version": ticket.version if version is None else version, **(data or {})}
    return client.post(reverse("web:ticket_act", args=[ticket.number, action]), payload)


def test_dispatcher_sees_dispatch_but_not_accept_on_a_registered_ticket(client, district):
    ticket = district.ticket_in(Status.REGISTERED)
    response = page(client, district.dispatcher, ticket)
    assert response.status_code == 200
    assert forms_on(response) == {"answer_directly", "reject", "merge", "dispatch"}
    body = response.content.decode()
    assert "派单" in body and "签收" not in body.split("可执行操作")[1]


def test_main_unit_handler_sees_accept_and_return_only(client, district):
    ticket = district.ticket_in(Status.DISPATCHED)
    assert forms_on(page(client, district.handler, ticket)) == {"accept", "return"}


def test_handling_ticket_forms_for_main_unit_and_supervisor(client, district):
    ticket = district.ticket_in(Status.HANDLING)
    assert forms_on(page(client, district.handler, ticket)) == {"return", "handle", "request_extension", "reply"}
    # No pending extension, no co-handling unit: nothing to decide or waive.
    assert forms_on(page(client, district.supervisor, ticket)) == {"supervise", "notice"}
    services.request_extension(ticket, by=district.handler, working_days=3, reason="需协调", now=at("2026-03-03 10:00"))
    assert "decide_extension" in forms_on(page(client, district.supervisor, ticket))


def test_other_units_handler_gets_404(client, district):
    ticket = district.ticket_in(Status.DISPATCHED)
    response = page(client, district.env_handler, ticket)
    assert response.status_code == 404
    assert "页面不存在或无权查看" in response.content.decode()
    response = act(client, district.env_handler, ticket, "accept")
    assert response.status_code == 404
    ticket.refresh_from_db()
    assert ticket.status == Status.DISPATCHED


def test_co_handling_unit_sees_masked_appellant_and_only_its_part_form(client, district):
    ticket = district.ticket_in(Status.REGISTERED, appellant_name="张三丰", appellant_phone=PHONE)
    services.dispatch(ticket, by=district.dispatcher, unit=district.roads, co_units=[district.env],
                      now=at("2026-03-02 10:00"))
    co_page = page(client, district.env_handler, ticket)
    body = co_page.content.decode()
    assert MASKED_PHONE in body and PHONE not in body and "张三丰" not in body
    assert forms_on(co_page) == {"submit_co_part"}
    main_body = page(client, district.handler, ticket).content.decode()
    assert PHONE in main_body and "张三丰" in main_body
    listing = client.get(reverse("web:ticket_list"))  # still logged in as the main unit
    assert PHONE in listing.content.decode()
    client.force_login(district.env_handler)
    listing = client.get(reverse("web:ticket_list")).content.decode()
    assert MASKED_PHONE in listing and PHONE not in listing


def test_page_shows_deadlines_units_timeline_and_panel(client, district):
    ticket = district.ticket_in(Status.HANDLING)
    response = page(client, district.dispatcher, ticket)
    body = response.content.decode()
    assert "办结时限" in body and "签收时限" in body
    assert "区住房建设和交通局" in body
    for label in ("受理", "派单", "签收"):
        assert f'<span class="timeline__action">{label}</span>' in body
    assert "主办单位：区住房建设和交通局" in body and "分类：城乡建设/市政设施/路灯" in body
    assert "dispatch/_ticket_panel.html" in [t.name for t in response.templates]
    assert response.context["ticket"] == ticket


def test_estimated_deadline_is_flagged(client, district):
    ticket = district.ticket_in(Status.DISPATCHED)
    assert "估算" not in page(client, district.dispatcher, ticket).content.decode()
    Ticket.objects.filter(pk=ticket.pk).update(due_estimated=True)  # a deadline in an unconfirmed year
    assert "估算" in page(client, district.dispatcher, ticket).content.decode()


GOOD_REPLY = (
    "您好！关于您反映小区门口路灯不亮的问题，经我局现场核查，系供电线路老化导致路灯熄灭。我局已于次日更换线路和灯具，"
    "现已恢复照明。依据《城市道路照明设施管理规定》，我局将加强该路段日常巡查。如有疑问请致电 020-12345678 联系市政科。"
)


def _events(ticket):
    return TicketEvent.objects.filter(ticket=ticket).count()


@pytest.mark.parametrize("action,start,who,data,expect", [
    ("register", Status.NEW, "dispatcher", {}, Status.REGISTERED),
    ("answer_directly", Status.NEW, "dispatcher", {"reply": "已电话告知办理流程"}, Status.CLOSED),
    ("reject", Status.REGISTERED, "dispatcher", {"reason": "内容无实质诉求"}, Status.CLOSED),
    ("accept", Status.DISPATCHED, "handler", {}, Status.HANDLING),
    ("return", Status.DISPATCHED, "handler", {"reason": "属于环保职责"}, Status.REGISTERED),
    ("handle", Status.HANDLING, "handler", {"note": "已派人现场查看"}, Status.HANDLING),
    ("reply", Status.HANDLING, "handler", {"text": GOOD_REPLY}, Status.REPLIED),
    ("reopen", Status.REPLIED, "dispatcher", {"reason": "群众反映仍未修好"}, Status.HANDLING),
    ("close", Status.REPLIED, "dispatcher", {"reason": "多次联系不上诉求人"}, Status.CLOSED),
    ("review", Status.REPLIED, "dispatcher",
     {"resolved": "no", "satisfaction": Satisfaction.DISSATISFIED, "comment": "电话回访不满意"}, Status.REPLIED),
    ("force_reopen", Status.CLOSED, "supervisor", {"reason": "回访弄虚作假"}, Status.HANDLING),
])
def test_posting_an_action_moves_the_ticket(client, district, action, start, who, data, expect):
    ticket = district.ticket_in(start)
    before = _events(ticket)
    response = act(client, getattr(district, who), ticket, action, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    ticket.refresh_from_db()
    assert ticket.status == expect
    assert _events(ticket) == before + 1
    follow = client.get(response["Location"])
    assert "已" in follow.content.decode()  # the success message


def test_dispatch_with_co_units_and_category(client, district):
    ticket = district.ticket_in(Status.REGISTERED)
    response = act(client, district.dispatcher, ticket, "dispatch",
                   {"unit": district.roads.pk, "co_units": [district.env.pk, district.street_office.pk],
                    "category": district.category.pk})
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == Status.DISPATCHED and ticket.main_unit == district.roads
    assert set(ticket.unit_links.filter(active=True, role="co").values_list("unit_id", flat=True)) == {
        district.env.pk, district.street_office.pk}
    # The co-handling unit now submits its part through its own form.
    response = act(client, district.env_handler, ticket, "submit_co_part", {"text": "环保局已配合检测"})
    assert response.status_code == 302
    assert ticket.unit_links.get(unit=district.env, active=True).part_text == "环保局已配合检测"


def test_transfer_and_merge(client, district):
    ticket = district.ticket_in(Status.DISPATCHED)
    response = act(client, district.dispatcher, ticket, "transfer", {"unit": district.env.pk, "reason": "环保职责"})
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.main_unit == district.env
    master = district.ticket_in(Status.HANDLING)
    dup = district.ticket_in(Status.REGISTERED)
    response = act(client, district.dispatcher, dup, "merge", {"into": master.number, "reason": "同一路灯"})
    assert response.status_code == 302
    dup.refresh_from_db()
    assert dup.duplicate_of == master and dup.status == Status.CLOSED


def test_merge_into_unknown_number_names_the_field(client, district):
    dup = district.ticket_in(Status.REGISTERED)
    response = act(client, district.dispatcher, dup, "merge", {"into": "20990101-000001"})
    assert response.status_code == 400
    assert "找不到工单 20990101-000001" in response.content.decode()


def test_extension_request_and_decision(client, district):
    ticket = district.ticket_in(Status.HANDLING)
    response = act(client, district.handler, ticket, "request_extension", {"working_days": "5", "reason": "需协调"})
    assert response.status_code == 302
    ext = Extension.objects.get(ticket=ticket)
    ticket.refresh_from_db()
    due = ticket.reply_due
    response = act(client, district.supervisor, ticket, "decide_extension", {"decision": "refuse", "reason": ""})
    assert response.status_code == 400
    assert "请填写驳回理由" in response.content.decode()
    response = act(client, district.supervisor, ticket, "decide_extension", {"decision": "approve"})
    assert response.status_code == 302
    ext.refresh_from_db()
    ticket.refresh_from_db()
    assert ext.state == Extension.State.APPROVED and ticket.reply_due > due


def test_extension_days_out_of_range_shows_service_message(client, district):
    ticket = district.ticket_in(Status.HANDLING)
    response = act(client, district.handler, ticket, "request_extension", {"working_days": "99", "reason": "x"})
    assert response.status_code == 400
    assert "延期天数须为 1 到 60 个工作日" in response.content.decode()
    assert not Extension.objects.filter(ticket=ticket).exists()


def test_waive_co_parts_then_reply(client, district):
    ticket = district.ticket_in(Status.REGISTERED)
    services.dispatch(ticket, by=district.dispatcher, unit=district.roads, co_units=[district.env],
                      now=at("2026-03-02 10:00"))
    services.accept(ticket, by=district.handler, now=at("2026-03-02 10:30"))
    blocked = act(client, district.handler, ticket, "reply", {"text": "已修复"})
    assert blocked.status_code == 400 and "协办单位尚未提交意见：区生态环境分局" in blocked.content.decode()
    assert "waive_co_parts" in forms_on(page(client, district.supervisor, ticket))
    ticket.refresh_from_db()
    assert act(client, district.supervisor, ticket, "waive_co_parts", {"reason": "协办单位无回应"}).status_code == 302
    ticket.refresh_from_db()
    assert act(client, district.handler, ticket, "reply", {"text": "已修复"}).status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == Status.REPLIED


def test_supervise_writes_event_and_notifies_unit(client, district):
    ticket = district.ticket_in(Status.HANDLING)
    response = act(client, district.supervisor, ticket, "supervise", {"message": "请于今日内办结"})
    assert response.status_code == 302
    assert TicketEvent.objects.filter(ticket=ticket, action="supervise", reason="请于今日内办结").exists()
    assert ticket.notifications.filter(kind="supervise", unit=district.roads).exists()
    response = act(client, district.supervisor, ticket, "notice", {"message": ""})
    assert response.status_code == 400 and "请填写督办内容" in response.content.decode()
    assert act(client, district.supervisor, ticket, "notice", {"message": "书面通报：超期未办结"}).status_code == 302
    assert TicketEvent.objects.filter(ticket=ticket, action="notice").count() == 1


def test_missing_reason_shows_error_and_leaves_ticket_unchanged(client, district):
    ticket = district.ticket_in(Status.DISPATCHED)
    before = (ticket.status, ticket.version, _events(ticket))
    response = act(client, district.handler, ticket, "return", {"reason": "   "})
    assert response.status_code == 400
    body = response.content.decode()
    assert "请填写退单理由" in body
    assert 'id="act-return" open' in body  # the failed form is open with its message
    ticket.refresh_from_db()
    assert (ticket.status, ticket.version, _events(ticket)) == before


def test_stale_version_gets_the_conflict_message(client, district):
    ticket = district.ticket_in(Status.HANDLING)
    stale = ticket.version
    services.handle(ticket, by=district.handler, note="同事刚记录了一条", now=at("2026-03-02 11:00"))
    response = act(client, district.handler, ticket, "reply", {"text": "已修复"}, version=stale)
    assert response.status_code == 409
    assert "刚被他人处理" in response.content.decode()
    assert Ticket.objects.get(pk=ticket.pk).status == Status.HANDLING


def test_missing_version_is_refused(client, district):
    ticket = district.ticket_in(Status.DISPATCHED)
    client.force_login(district.handler)
    response = client.post(reverse("web:ticket_act", args=[ticket.number, "accept"]), {})
    assert response.status_code == 400
    assert "页面已过期" in response.content.decode()
    assert Ticket.objects.get(pk=ticket.pk).status == Status.DISPATCHED


def test_action_the_user_may_not_take_is_refused(client, district):
    ticket = district.ticket_in(Status.REGISTERED)
    response = act(client, district.handler, ticket, "dispatch", {"unit": district.roads.pk})
    assert response.status_code == 404  # the handler cannot even see a registered ticket
    dispatched = district.ticket_in(Status.DISPATCHED)
    response = act(client, district.dispatcher, dispatched, "accept")
    assert response.status_code == 403
    assert "无权" in response.content.decode()
    assert Ticket.objects.get(pk=dispatched.pk).status == Status.DISPATCHED


def test_unknown_action_is_404_and_get_is_405(client, district):
    ticket = district.ticket_in(Status.NEW)
    assert act(client, district.dispatcher, ticket, "explode").status_code == 404
    response = client.get(reverse("web:ticket_act", args=[ticket.number, "register"]))
    assert response.status_code == 405


def test_return_redirects_the_unit_home(client, district):
    ticket = district.ticket_in(Status.DISPATCHED)
    response = act(client, district.handler, ticket, "return", {"reason": "非本单位职责"})
    assert response.status_code == 302 and response["Location"] == reverse("web:home")


def test_unit_head_of_parent_unit_sees_sub_unit_ticket(client, district):
    from youhu.testing.factories import make_unit

    team = make_unit("路灯管理所", parent=district.roads)
    head = make_user("head", "unit_head", unit=district.roads)
    ticket = make_ticket(now=at("2026-03-02 09:30"))
    services.register(ticket, by=district.dispatcher, category=district.category, now=at("2026-03-02 09:31"))
    services.dispatch(ticket, by=district.dispatcher, unit=team, now=at("2026-03-02 09:32"))
    response = page(client, head, ticket)
    assert response.status_code == 200
    assert forms_on(response) == set()  # visible, but only the team itself accepts
    assert "当前没有您可以执行的操作" in response.content.decode()


def test_a_poor_reply_is_held_for_a_supervisor(client, district):
    ticket = district.ticket_in(Status.HANDLING)
    assert act(client, district.handler, ticket, "reply", {"text": "已处理。"}).status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == Status.REPLIED and ticket.reply_withheld
    assert TicketEvent.objects.filter(ticket=ticket, action="withhold_reply").count() == 1
