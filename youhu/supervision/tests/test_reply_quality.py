from __future__ import annotations

import csv
import io

import pytest
from django.core.management import CommandError, call_command

from youhu.supervision.models import ReplyCheck
from youhu.supervision.replies_file import score_file
from youhu.supervision.reply_quality import (
    appeal_places,
    check_reply,
    score_reply,
    timeliness_against_due,
    timeliness_by_days,
)
from youhu.testing.factories import at
from youhu.tickets import services
from youhu.tickets.models import Status

TITLE = "A3区潇楚南路洋湖段路灯不亮"
APPEAL = "A3区潇楚南路洋湖段的路灯已经坏了一个多月，晚上一片漆黑，行人和车辆通行很危险，希望尽快修复。"
GOOD = ("网友您好！经我局现场核查，潇楚南路洋湖段共有路灯 12 盏因线路老化损坏。根据《城市照明管理规定》，"
        "我局已安排维修人员于 5 月 10 日更换线路，现已全部恢复照明。如有疑问请致电 0731-88886666。")
BAD = "您的留言已收悉，谢谢。"
OFF_TOPIC = ("您好，关于小学招生划片问题，经核实，按照教育局招生政策规定执行，已告知学校，"
             "如有疑问请致电 0731-12345678。")


def test_good_reply_scores_high_with_no_reasons():
    result = score_reply(TITLE, APPEAL, GOOD)
    assert result.score >= 80 and result.elements == {"found": True, "done": True, "basis": True, "contact": True}
    assert result.reasons == []


def test_boilerplate_reply_scores_low_and_says_why():
    result = score_reply(TITLE, APPEAL, BAD)
    assert result.score < 30
    assert any("过于简短" in r for r in result.reasons) and any("核查情况" in r for r in result.reasons)


def test_complete_but_off_topic_reply_loses_relevance():
    on, off = score_reply(TITLE, APPEAL, GOOD), score_reply(TITLE, APPEAL, OFF_TOPIC)
    assert off.relevance < 0.3 < on.relevance
    assert any("潇楚南路" in r for r in off.reasons)


def test_places_are_found_in_the_appeal():
    assert "潇楚南路" in appeal_places(TITLE, APPEAL)


@pytest.mark.django_db  # the working-day calendar reads the holiday table
def test_timeliness():
    assert timeliness_by_days(10)[0] == 1.0 and timeliness_by_days(90)[0] == 0.0
    assert timeliness_by_days(None) == (None, None)
    assert timeliness_against_due(at("2026-10-15 10:00"), at("2026-10-15 18:00"))[0] == 1.0
    late, why = timeliness_against_due(at("2026-10-19 10:00"), at("2026-10-15 18:00"))
    assert late == pytest.approx(0.6) and "2 个工作日" in why  # Fri 16th and Mon 19th


def test_score_file_adds_columns_and_rejects_missing_ones():
    source = io.StringIO()
    writer = csv.writer(source)
    writer.writerow(["id", "title", "received_at", "text", "reply", "replied_at"])
    writer.writerow(["1", TITLE, "2019/4/25 9:32:09", APPEAL, GOOD, "2019/5/10 14:56:53"])
    writer.writerow(["2", TITLE, "2019/4/25 9:32:09", APPEAL, BAD, "2019/9/10 14:56:53"])
    out = io.StringIO()
    assert score_file(io.StringIO(source.getvalue()), out) == 2
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert float(rows[0]["score"]) > float(rows[1]["score"]) and rows[0]["id"] == "1"
    assert rows[1]["timeliness"] == "0.000"


def test_replies_command_bad_input(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(CommandError, match="缺少列"):
        call_command("replies", "score", "--input", str(bad), "--output", str(tmp_path / "o.csv"))
    with pytest.raises(CommandError, match="找不到"):
        call_command("replies", "score", "--input", str(tmp_path / "none.csv"), "--output", str(tmp_path / "o.csv"))


def _checked(district, text):
    ticket = district.ticket_in(Status.HANDLING, title=TITLE, content=APPEAL, now=at("2026-10-12 09:30"))
    services.reply(ticket, by=district.handler, text=text, now=at("2026-10-13 10:00"))
    check = check_reply(ticket, now=at("2026-10-13 10:00"))
    ticket.refresh_from_db()
    return ticket, check


@pytest.mark.django_db
def test_check_reply_holds_back_a_poor_reply(district):
    ticket, check = _checked(district, BAD)
    assert check.flagged and ticket.reply_withheld
    assert ticket.events.filter(action="withhold_reply").exists()
    assert ReplyCheck.objects.filter(ticket=ticket).count() == 1


@pytest.mark.django_db
def test_check_reply_lets_a_good_reply_through(district):
    ticket, check = _checked(district, GOOD)
    assert not check.flagged and not ticket.reply_withheld and check.timeliness == 1.0


@pytest.mark.django_db
def test_replies_check_command_backfills_once(district):
    ticket = district.ticket_in(Status.HANDLING, title=TITLE, content=APPEAL, now=at("2026-10-12 09:30"))
    services.reply(ticket, by=district.handler, text=BAD, now=at("2026-10-13 10:00"))
    out = io.StringIO()
    call_command("replies", "check", stdout=out)
    assert "已检查 1 条" in out.getvalue() and "1 条低于阈值" in out.getvalue()
    call_command("replies", "check", stdout=out)
    assert ReplyCheck.objects.filter(ticket=ticket).count() == 1
