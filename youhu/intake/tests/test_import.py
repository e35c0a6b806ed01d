"""Hotline import: the shared exports as they are, encodings, XLSX, mapping, bad rows, idempotency, web page."""

import csv
import io
import json
from datetime import datetime
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from youhu.intake.importing import ImportFileError, ImportOptions, import_appeals
from youhu.tickets.models import Channel, Status, Ticket, TicketEvent

DATA = Path(settings.SHARED_DIR) / "data"
SHARED = ["appeals/labeled_appeals.csv", "hotspot/messages_with_votes.csv", "replies/messages_with_replies.csv"]


def run(data: bytes, name="export.csv", **options):
    return import_appeals(data, name=name, options=ImportOptions(**options))


def csv_bytes(rows: list[list[str]], encoding="utf-8") -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode(encoding)


@pytest.mark.needs_shared
@pytest.mark.django_db
def test_the_three_shared_files_import_as_they_are_and_only_once(monkeypatch, django_capture_on_commit_callbacks):
    queued: list[int] = []
    monkeypatch.setattr("youhu.intake.tasks.triage_ticket", queued.append)  # record what reaches the queue
    expected = 0
    for name in SHARED:
        path = DATA / name
        with path.open(encoding="utf-8") as f:
            rows = sum(1 for _ in csv.DictReader(f))
        expected += rows
        with django_capture_on_commit_callbacks(execute=True):
            result = import_appeals(path.read_bytes(), name=path.name, options=ImportOptions())
        assert result.rejected == [] and result.created == rows == result.total
    assert Ticket.objects.filter(channel=Channel.HOTLINE).count() == expected
    assert TicketEvent.objects.filter(action="create").count() == expected
    assert Ticket.objects.values("number").distinct().count() == expected
    assert sorted(queued) == sorted(Ticket.objects.values_list("pk", flat=True))  # each queued once
    again = import_appeals((DATA / SHARED[1]).read_bytes(), name="messages_with_votes.csv", options=ImportOptions())
    assert again.created == 0 and again.skipped == again.total
    assert Ticket.objects.count() == expected
    # id -> external id, received_at -> created_at, a missing title derived from the text
    first = Ticket.objects.get(external_id="messages_with_votes:188006")
    assert first.title == "A3区一米阳光婚纱艺术摄影是否合法纳税了？"
    assert first.created_at == datetime.fromisoformat("2019-02-28T11:25:05+08:00")
    untitled = Ticket.objects.filter(external_id__startswith="labeled_appeals:h").first()
    assert untitled.title and untitled.content.startswith(untitled.title.rstrip("…"))


@pytest.mark.django_db
def test_gbk_export_is_detected_or_named():
    data = csv_bytes([["编号", "标题", "来电时间", "来电内容", "联系电话"],
                      ["H1", "噪音扰民", "2026-03-01 22:10", "楼上装修到深夜", "13800138000"]], "gbk")
    result = run(data)
    assert result.created == 1
    ticket = Ticket.objects.get()
    assert ticket.content == "楼上装修到深夜" and ticket.appellant_phone == "13800138000"
    assert ticket.external_id == "export:H1"
    with pytest.raises(ImportFileError, match="utf-8"):
        run(data, encoding="utf-8", source="again")


@pytest.mark.django_db
def test_xlsx_with_real_dates_and_broken_xlsx():
    book = Workbook()
    sheet = book.active
    sheet.append(["id", "title", "received_at", "text"])
    sheet.append([7, "井盖缺失", datetime(2026, 3, 1, 8, 30), "人行道井盖缺失，很危险"])
    sheet.append([None, None, None, None])
    out = io.BytesIO()
    book.save(out)
    result = run(out.getvalue(), name="hotline.xlsx")
    assert result.created == 1 and result.total == 1
    assert Ticket.objects.get().created_at == datetime.fromisoformat("2026-03-01T08:30:00+08:00")
    with pytest.raises(ImportFileError, match="XLSX"):
        run(b"PK\x03\x04 this is not really a zip", name="broken.xlsx")
    with pytest.raises(ImportFileError, match="XLSX"):
        run(b"plain text", name="broken.xlsx", fmt="xlsx")


@pytest.mark.django_db
def test_bad_rows_are_reported_and_not_stored(district):
    data = csv_bytes([
        ["id", "title", "received_at", "text", "phone", "street", "urgency"],
        ["1", "好的", "2026/3/1 9:00:00", "正常的一行", "", "琶洲街道", "紧急"],
        ["2", "空内容", "2026/3/1 9:00:00", "  ", "", "", ""],
        ["3", "坏日期", "昨天下午", "内容", "", "", ""],
        ["4", "坏电话", "", "内容", "打我电话", "", ""],
        ["5", "未知街道", "", "内容", "", "火星街道", ""],
        ["6", "未来", "2099-01-01 00:00", "内容", "", "", ""],
        ["7", "紧急度", "", "内容", "", "", "特急"],
        ["8", "长文", "", "字" * 6000, "", "", ""],
    ])
    result = run(data)
    assert result.created == 2 and result.total == 8
    rejected = {i.external_id: i for i in result.rejected}
    assert {k: v.field for k, v in rejected.items()} == {"2": "content", "3": "created_at", "4": "appellant_phone",
                                                         "5": "street", "6": "created_at", "7": "urgency"}
    assert rejected["3"].row == 4 and "昨天下午" in rejected["3"].reason
    good = Ticket.objects.get(external_id="export:1")
    assert good.street == district.street and good.urgency == "urgent"
    long = Ticket.objects.get(external_id="export:8")
    assert len(long.content) <= 5000 and long.content.endswith("已截断）")
    assert [(i.outcome, i.field) for i in result.issues if i.external_id == "export:8"] == [("created", "content")]
    assert result.batch.rejected_count == 6 and "昨天下午" in result.batch.report_csv


@pytest.mark.django_db
def test_missing_content_column_and_mapping(tmp_path):
    data = csv_bytes([["单号", "事项", "详情"], ["X1", "路灯", "路灯不亮"]])
    with pytest.raises(ImportFileError, match="content"):
        run(data)
    result = run(data, mapping={"external_id": "单号", "title": "事项", "content": "详情"})
    assert result.created == 1 and Ticket.objects.get().external_id == "export:X1"
    with pytest.raises(ImportFileError, match="没有映射指定的列"):
        run(data, mapping={"content": "正文"})
    with pytest.raises(ImportFileError, match="未知字段"):
        run(data, mapping={"body": "详情"})


@pytest.mark.django_db
def test_command_writes_report_next_to_file(tmp_path, capsys):
    path = tmp_path / "calls.csv"
    path.write_bytes(csv_bytes([["来电编号", "来电内容", "来电时间"], ["A", "内容一", "2026/3/1 10:00"],
                                ["B", "", "2026/3/1 10:00"]], "gbk"))
    mapping = tmp_path / "m.json"
    mapping.write_text(json.dumps({"columns": {"content": "来电内容"}}), encoding="utf-8")
    out = io.StringIO()
    call_command("import-appeals", str(path), "--mapping", str(mapping), "--triage", "now", stdout=out,
                 stderr=io.StringIO())
    assert "新建 1" in out.getvalue() and "拒绝 1" in out.getvalue()
    report = list(csv.DictReader((tmp_path / "calls.csv.report.csv").read_text(encoding="utf-8-sig").splitlines()))
    number = Ticket.objects.get().number
    assert report == [{"row": "2", "external_id": "calls:A", "number": number, "outcome": "created", "field": "",
                       "reason": ""},
                      {"row": "3", "external_id": "B", "number": "", "outcome": "rejected", "field": "content",
                       "reason": "诉求内容为空"}]
    assert Ticket.objects.get().status == Status.REGISTERED  # triaged now
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"not a workbook")
    with pytest.raises(CommandError, match="XLSX"):
        call_command("import-appeals", str(broken), stdout=out, stderr=io.StringIO())


@pytest.mark.django_db
def test_queued_triage_runs_once_committed_and_a_failure_stays_new_and_is_retried(
        monkeypatch, django_capture_on_commit_callbacks, huey_queue, run_retries):
    real = __import__("youhu.dispatch.services", fromlist=["_apply"])._apply
    # Fails in the batch of ticket 1's task (2 is waiting too), then in its own task and its first retry.
    failures = {"井盖": 3}

    def flaky(ticket, plan, now):
        if failures.get(ticket.content[-2:], 0):
            failures[ticket.content[-2:]] -= 1
            raise RuntimeError("boom")
        return real(ticket, plan, now)

    monkeypatch.setattr("youhu.dispatch.services._apply", flaky)
    with django_capture_on_commit_callbacks() as pending:
        run(csv_bytes([["id", "text"], ["1", "路灯不亮"], ["2", "小区井盖"]]))
        assert set(Ticket.objects.values_list("status", flat=True)) == {Status.NEW}  # nothing before commit
    for callback in pending:
        callback()
    assert Ticket.objects.get(external_id="export:1").status == Status.REGISTERED
    stuck = Ticket.objects.get(external_id="export:2")
    assert stuck.status == Status.NEW and stuck.events.count() == 1 and not stuck.dispatch_suggestions.exists()
    assert [(t.args, t.retries) for t in huey_queue.scheduled()] == [((stuck.pk,), 1)]
    assert run_retries() == 1  # fails again
    stuck.refresh_from_db()
    assert stuck.status == Status.NEW
    assert run_retries() == 1  # the last retry succeeds
    stuck.refresh_from_db()
    assert stuck.status == Status.REGISTERED and stuck.dispatch_suggestions.count() == 1
    assert run_retries() == 0


@pytest.mark.django_db
def test_triage_now_works_in_batches_and_a_failure_leaves_only_its_ticket_new(monkeypatch, caplog):
    from youhu.dispatch import services as dispatch

    real_apply, real_many = dispatch._apply, dispatch.triage_many
    batches: list[int] = []

    def flaky(ticket, plan, now):
        if ticket.content.endswith("井盖"):
            raise RuntimeError("boom")
        return real_apply(ticket, plan, now)

    def counted(tickets, now=None):
        batches.append(len(tickets))
        return real_many(tickets, now=now)

    monkeypatch.setattr(dispatch, "_apply", flaky)
    monkeypatch.setattr(dispatch, "triage_many", counted)
    rows = [["id", "text"]] + [[str(i), f"{i} 号路灯不亮"] for i in range(40)] + [["x", "小区井盖"]]
    result = run(csv_bytes(rows), triage="now")
    assert result.created == 41 and batches == [32, 9]
    assert Ticket.objects.filter(status=Status.REGISTERED).count() == 40
    assert Ticket.objects.get(external_id="export:x").status == Status.NEW and "boom" in caplog.text


@pytest.mark.django_db
def test_skipped_triage_queues_nothing(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        run(csv_bytes([["id", "text"], ["1", "路灯不亮"]]), triage="skip")
    assert callbacks == [] and Ticket.objects.get().status == Status.NEW


@pytest.mark.django_db
def test_web_import_for_dispatchers(client, district):
    client.force_login(district.handler)
    assert client.get("/intake/import/").status_code == 403
    client.force_login(district.dispatcher)
    assert "导入热线工单" in client.get("/intake/import/").content.decode()
    upload = io.BytesIO(csv_bytes([["id", "text", "received_at"], ["1", "内容", "2026/3/1 10:00"],
                                   ["2", "内容", "不是日期"]]))
    upload.name = "web.csv"
    resp = client.post("/intake/import/", {"file": upload, "fmt": "auto", "encoding": "auto", "channel": "hotline"})
    assert resp.status_code == 302
    page = client.get(resp["Location"]).content.decode()
    assert "新建 1" in page and "不是日期" in page
    report = client.get(resp["Location"] + "report.csv")
    assert "不是日期" in report.content.decode("utf-8-sig")
    broken = io.BytesIO(b"junk")
    broken.name = "x.xlsx"
    resp = client.post("/intake/import/", {"file": broken, "fmt": "auto", "encoding": "auto", "channel": "hotline"})
    assert resp.status_code == 400 and "XLSX" in resp.content.decode()
    assert Ticket.objects.count() == 1
