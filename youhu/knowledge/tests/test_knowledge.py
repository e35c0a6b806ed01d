"""The knowledge base: search by an appeal's text, answering from an entry, the import, the desk's pane."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.urls import reverse
from openpyxl import Workbook

from youhu.knowledge import demo, search, services
from youhu.knowledge.models import Entry
from youhu.testing.factories import at
from youhu.testing.shared import SKIP_REASON, shared_data_present
from youhu.tickets.errors import NotAllowed
from youhu.tickets.models import CloseReason, Status

pytestmark = pytest.mark.django_db
TODAY = date(2026, 3, 3)


@pytest.fixture(autouse=True)
def _clock(monkeypatch):
    monkeypatch.setattr("youhu.clock.now", lambda: at("2026-03-03 10:00"))


@pytest.fixture
def entries():
    for row in demo.written_entries():
        Entry.objects.create(**row, origin="demo")
    return Entry.objects.all()


def _questions(text: str, today: date = TODAY) -> list[str]:
    return [e.question for e, _score in search.closest(text, today=today)]


@pytest.mark.parametrize(("appeal", "expected"), [
    ("我家楼下工地每天晚上十一点还在施工，噪音吵得睡不着", "夜间施工噪音扰民怎么办"),
    ("小区路口的路灯坏了好几天，晚上黑漆漆的", "路灯不亮晚上走路不安全"),
    ("去外省看病，医保怎么备案才能直接结算", "异地就医备案怎么办理"),
    ("我在的单位一直没给我交社保，怎么办", "单位不给员工缴纳社保"),
    ("楼上天天装修电钻声音很吵，周末也不停", "楼上邻居装修噪音时间规定"),
    ("小区物业乱涨物业费，业主都不同意", "物业费上涨没有经过业主同意"),
])
def test_search_returns_the_relevant_entry_first(entries, appeal, expected):
    found = _questions(appeal)
    assert found[0] == expected
    assert len(found) <= search.TOP


def test_a_vaguer_appeal_finds_the_entry_among_the_top_three(entries):
    assert "小区门口流动摊贩占道经营" in _questions("人行道上好多小贩摆摊卖水果，行人没法走")


def test_expired_and_disabled_entries_are_left_out(entries):
    appeal = "老人流感疫苗可以免费接种吗"
    assert _questions(appeal, today=date(2026, 3, 1))[0] == "老年人流感疫苗免费接种"  # valid until 03-31
    assert "老年人流感疫苗免费接种" not in _questions(appeal, today=date(2026, 4, 1))
    Entry.objects.filter(question="路灯不亮晚上走路不安全").update(active=False)
    assert "路灯不亮晚上走路不安全" not in _questions("路灯不亮")


def test_an_edit_refits_the_cached_index(entries):
    assert "自行车" not in "".join(_questions("电动自行车充电"))
    Entry.objects.create(question="电动自行车楼道充电违规", answer="请勿在楼道内为电动自行车充电。")
    assert _questions("电动自行车在楼道充电")[0] == "电动自行车楼道充电违规"


def test_a_bulk_update_refits_the_cached_index(entries):
    assert "自行车" not in "".join(_questions("电动自行车充电"))
    Entry.objects.filter(question="路灯不亮晚上走路不安全").update(question="电动自行车楼道充电违规")
    assert _questions("电动自行车在楼道充电")[0] == "电动自行车楼道充电违规"


def test_nothing_close_shows_nothing(entries):
    assert _questions("ＸＹＺ") == []


def test_answering_from_an_entry_closes_it_and_records_the_entry(district, entries):
    ticket = district.ticket_in(Status.REGISTERED)
    entry = Entry.objects.get(question="路灯不亮晚上走路不安全")
    services.answer_from_entry(ticket, by=district.dispatcher, entry_id=entry.pk)
    ticket.refresh_from_db()
    assert ticket.status == Status.CLOSED and ticket.close_reason == CloseReason.ANSWERED_DIRECTLY
    assert ticket.reply_text == entry.answer
    event = ticket.events.get(action="answer_directly")
    assert event.payload["knowledge_entry"] == entry.pk
    assert event.payload["knowledge_question"] == entry.question


def test_only_dispatchers_answer_and_expired_entries_are_refused(district, entries):
    ticket = district.ticket_in(Status.REGISTERED)
    entry = Entry.objects.get(question="路灯不亮晚上走路不安全")
    with pytest.raises(NotAllowed):
        services.answer_from_entry(ticket, by=district.handler, entry_id=entry.pk)
    expired = Entry.objects.get(question="老年人流感疫苗免费接种")
    Entry.objects.filter(pk=expired.pk).update(valid_until=date(2026, 3, 1))
    with pytest.raises(services.InvalidInput):
        services.answer_from_entry(ticket, by=district.dispatcher, entry_id=expired.pk)
    ticket.refresh_from_db()
    assert ticket.status == Status.REGISTERED and not ticket.events.filter(action="answer_directly").exists()


def test_the_action_table_passes_the_entry(client, district, entries):
    ticket = district.ticket_in(Status.REGISTERED)
    entry = Entry.objects.get(question="路灯不亮晚上走路不安全")
    client.force_login(district.dispatcher)
    response = client.post(reverse("web:ticket_act", args=[ticket.number, "answer_directly"]),
                           {"version": ticket.version, "reply": "", "entry": entry.pk})
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == Status.CLOSED and ticket.reply_text == entry.answer
    assert ticket.events.get(action="answer_directly").payload["knowledge_entry"] == entry.pk


def test_the_api_answers_from_an_entry_and_refuses_an_unknown_one(client, district, entries):
    from youhu.access.keys import create_api_key

    ticket = district.ticket_in(Status.REGISTERED)
    entry = Entry.objects.get(question="路灯不亮晚上走路不安全")
    key = create_api_key(district.dispatcher, name="test").secret
    url = f"/api/tickets/{ticket.number}/actions/answer_directly"
    missing = client.post(url, {"entry": 999999}, content_type="application/json",
                          HTTP_AUTHORIZATION=f"Bearer {key}")
    assert missing.status_code == 400 and "entry" in missing.content.decode()
    response = client.post(url, {"entry": entry.pk}, content_type="application/json",
                           HTTP_AUTHORIZATION=f"Bearer {key}")
    assert response.status_code == 200, response.content
    ticket.refresh_from_db()
    assert ticket.reply_text == entry.answer
    assert ticket.events.get(action="answer_directly").payload["knowledge_entry"] == entry.pk


def _xlsx(rows) -> bytes:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_import_stores_good_rows_and_reports_the_bad_one(db):
    data = _xlsx([["问题", "答复", "类别", "政策依据", "有效期至"],
                  ["井盖松动", "已转养护部门处理。", "道路", "《城市道路管理条例》", "2027-12-31"],
                  ["", "没有问题的答复", "道路", "", ""],
                  ["路面坑洼", "已安排修补。", "道路", "", "明年"]])
    result = services.import_entries(data, name="kb.xlsx")
    assert result.created == 1 and list(Entry.objects.values_list("question", flat=True)) == ["井盖松动"]
    assert [(e.row, e.column) for e in result.errors] == [("3", "问题"), ("4", "有效期至")]
    assert Entry.objects.get().valid_until == date(2027, 12, 31)
    assert "新增 1" in result.report and "拒绝 2" in result.report
    again = services.import_entries(data, name="kb.xlsx")
    assert again.updated == 1 and Entry.objects.count() == 1


def test_a_structurally_broken_file_stores_nothing(db):
    data = "问题,答复\n井盖松动,已转养护部门处理。\n路面坑洼,\"已安排修补。\n路灯,已修\n".encode()
    with pytest.raises(services.ImportFileError):
        services.import_entries(data, name="kb.csv")
    assert not Entry.objects.exists()
    with pytest.raises(services.ImportFileError):
        services.import_entries("标题,内容\n甲,乙\n".encode(), name="kb.csv")


def test_the_admin_imports_a_file(admin_client):
    listing = admin_client.get(reverse("admin:knowledge_entry_changelist")).content.decode()
    assert reverse("admin:knowledge_entry_import") in listing
    broken = io.BytesIO("问题,答复\n井盖,\"未闭合\n".encode())
    broken.name = "kb.csv"
    refused = admin_client.post(reverse("admin:knowledge_entry_import"), {"file": broken}, follow=True)
    assert "未导入任何条目" in refused.content.decode() and not Entry.objects.exists()
    data = "问题,答复\n井盖松动,已转养护部门处理。\n".encode()
    upload = io.BytesIO(data)
    upload.name = "kb.csv"
    response = admin_client.post(reverse("admin:knowledge_entry_import"), {"file": upload})
    assert response.status_code == 200 and "新增 1" in response.content.decode()
    assert Entry.objects.filter(question="井盖松动", origin="import").exists()


def test_the_desk_pane_and_the_ticket_page_show_entries_and_answer(client, district, entries):
    ticket = district.ticket_in(Status.REGISTERED)  # the factories' ticket: a street light out
    client.force_login(district.dispatcher)
    pane = client.get(reverse("dispatch:pane", args=[ticket.number])).content.decode()
    assert "知识库参考" in pane and "路灯不亮晚上走路不安全" in pane and "直接答复并办结" in pane
    assert "知识库参考" in client.get(reverse("web:ticket_detail", args=[ticket.number])).content.decode()
    entry = Entry.objects.get(question="路灯不亮晚上走路不安全")
    response = client.post(reverse("knowledge:answer", args=[ticket.number]),
                           {"entry": entry.pk, "reply": "已转路灯管理部门检修。"}, HTTP_ACCEPT="application/json")
    assert response.json()["ok"] is True
    ticket.refresh_from_db()
    assert ticket.status == Status.CLOSED and ticket.reply_text == "已转路灯管理部门检修。"
    history = client.get(reverse("web:ticket_detail", args=[ticket.number])).content.decode()
    assert f"依据知识库条目：{entry.question}" in history and "知识库参考" not in history  # closed: none offered


def test_a_handler_sees_no_answer_button(client, district, entries):
    ticket = district.ticket_in(Status.REGISTERED)
    client.force_login(district.handler)
    response = client.post(reverse("knowledge:answer", args=[ticket.number]),
                           {"entry": Entry.objects.first().pk}, HTTP_ACCEPT="application/json")
    assert response.status_code in (403, 404)
    ticket.refresh_from_db()
    assert ticket.status == Status.REGISTERED


def test_the_demo_load_is_idempotent(settings, tmp_path):
    settings.SHARED_DIR = str(tmp_path)  # no shared data: the written entries only
    assert demo.load() == len(demo.written_entries()) >= 50
    assert demo.load() == Entry.objects.count() == len(demo.written_entries())


@pytest.mark.needs_shared
@pytest.mark.skipif(not shared_data_present("data/replies/messages_with_replies.csv"), reason=SKIP_REASON)
def test_the_demo_draws_more_entries_from_the_shared_replies():
    drawn = demo.shared_entries()
    assert len(drawn) == demo.SHARED_COUNT
    assert all("A市" not in e["question"] + e["answer"] for e in drawn)  # moved to the demo's city
    total = demo.load()
    assert Entry.objects.filter(origin="shared").count() == total - len(demo.written_entries()) > 0
    assert demo.load() == total  # idempotent with the shared entries too
