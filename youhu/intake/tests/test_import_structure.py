"""Issue 19: a broken file stores nothing and names its line; every line of a good file is accounted for;
implausible rows are reported, not stored. Each broken file is built here, as the defect was found."""

import csv
import io
from datetime import datetime, timedelta

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from youhu.intake.importing import ImportFileError, ImportOptions, import_appeals
from youhu.intake.models import ImportBatch
from youhu.testing.files import with_sheet_bytes_flipped, with_sheet_cut
from youhu.tickets.models import Ticket

ROWS = 1500
HEADER = ["id", "title", "received_at", "text"]


def run(data: bytes, name="export.csv", **options):
    return import_appeals(data, name=name, options=ImportOptions(triage="skip", receipts=False, **options))


def appeal_rows(n: int = ROWS) -> list[list[str]]:
    start = datetime(2026, 3, 1, 8, 0)
    return [[str(1000 + i), f"第{i}号诉求", f"{start + timedelta(minutes=7 * i):%Y/%m/%d %H:%M}",
             f"第{i}号：小区门口的路灯不亮，晚上出行不便，请尽快维修"] for i in range(n)]


def csv_text(rows: list[list[str]], quoting=csv.QUOTE_MINIMAL) -> str:
    out = io.StringIO()
    csv.writer(out, quoting=quoting, lineterminator="\n").writerows([HEADER, *rows])
    return out.getvalue()


def assert_nothing_stored() -> None:
    assert Ticket.objects.count() == 0
    assert ImportBatch.objects.count() == 0


# ---------------------------------------------------------------- CSV


@pytest.mark.django_db
def test_an_unclosed_quote_at_row_1200_stores_nothing_and_names_its_line(tmp_path):
    lines = csv_text(appeal_rows()).splitlines()
    lines[1200] = lines[1200].replace("第1199号：", '"第1199号：')  # row 1,200 is the file's line 1,201
    data = ("\n".join(lines) + "\n").encode()
    with pytest.raises(ImportFileError, match="第 1201 行：引号未闭合") as error:
        run(data)
    assert error.value.line == 1201
    assert_nothing_stored()
    # the command exits non-zero with the same line, writes no report
    path = tmp_path / "calls.csv"
    path.write_bytes(data)
    with pytest.raises(CommandError, match="第 1201 行"):
        call_command("import-appeals", str(path), "--triage", "skip", stdout=io.StringIO(), stderr=io.StringIO())
    assert not (tmp_path / "calls.csv.report.csv").exists()
    assert_nothing_stored()


@pytest.mark.django_db
def test_an_unclosed_quote_closed_by_a_later_quoted_cell_is_caught():
    """Every cell quoted: the stray quote pairs with the next row's first quote; strict reading refuses."""
    lines = csv_text(appeal_rows(), quoting=csv.QUOTE_ALL).splitlines()
    lines[1200] = lines[1200][:-1]  # the last cell's closing quote lost
    with pytest.raises(ImportFileError, match="第 1201 行：引号不配对"):
        run(("\n".join(lines) + "\n").encode())
    assert_nothing_stored()


@pytest.mark.django_db
def test_rows_swallowed_up_to_a_stray_quote_are_caught():
    """A strict reader accepts this file: the open quote closes at row 1,250's quote before a comma, and
    49 rows became one cell. A line shaped like a row inside a cell is the tell."""
    rows = appeal_rows()
    rows[1199][3] = '"' + rows[1199][3]
    rows[1249][3] = '他说好"'
    text = "\n".join(",".join(r) for r in [HEADER, *rows]) + "\n"
    assert len(list(csv.reader(io.StringIO(text), strict=True))) < ROWS  # the defect: rows vanish
    with pytest.raises(ImportFileError, match="第 1201 行：“text”单元格的引号一直延续到第 1251 行"):
        run(text.encode())
    assert_nothing_stored()


@pytest.mark.django_db
def test_a_row_with_more_cells_than_the_header_is_structural():
    rows = appeal_rows(30)
    text = csv_text(rows) + "9999,标题,2026/3/2 10:00,路灯不亮,多出来的一格\n"
    with pytest.raises(ImportFileError, match="第 32 行：有 5 个单元格，而表头只有 4 列"):
        run(text.encode())
    assert_nothing_stored()


@pytest.mark.django_db
def test_a_bad_byte_in_a_utf8_file_names_its_line():
    data = csv_text(appeal_rows()).encode()
    at = data.index("第799号：".encode())
    broken = data[:at] + b"\xff" + data[at:]
    with pytest.raises(ImportFileError, match="第 801 行：含有不是 utf-8"):
        run(broken)
    assert_nothing_stored()


@pytest.mark.django_db
def test_every_line_of_a_good_file_is_accounted_for():
    rows = appeal_rows(5)
    rows[2][3] = "第一段：楼道灯坏了\n第二段：已经一周\n第三段：请维修"  # one record over three lines
    rows[4][3] = ""  # rejected: no content
    text = csv_text(rows[:3]) + "\n,,,\n" + csv_text(rows[3:]).split("\n", 1)[1]
    assert len(text.splitlines()) == 10
    first = run(text.encode())
    assert (first.created, first.skipped, len(first.rejected), first.total) == (4, 0, 1, 5)
    assert first.summary == ("文件共 10 行：表头 1 行，空行 2 行，数据 5 条，占 7 行"
                             "（新建 4，已导入过跳过 0，拒绝 1，存疑未导入 0）")
    report = list(csv.DictReader(io.StringIO(first.batch.report_csv)))
    assert [(r["row"], r["outcome"]) for r in report] == [
        ("2", "created"), ("3", "created"), ("4-6", "created"), ("7", "blank"), ("8", "blank"),
        ("9", "created"), ("10", "rejected")]
    assert {r["number"] for r in report if r["outcome"] == "created"} == set(Ticket.objects.values_list("number",
                                                                                                        flat=True))
    again = run(text.encode())
    assert (again.created, again.skipped, len(again.rejected)) == (0, 4, 1)
    assert first.batch.summary.startswith("文件共 10 行") and first.batch.line_count == 10


# ---------------------------------------------------------------- XLSX


def workbook_bytes(n: int = ROWS) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER)
    for row in appeal_rows(n):
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.mark.django_db
def test_a_sheet_cut_mid_file_stores_nothing_and_says_where():
    data = with_sheet_cut(workbook_bytes(), keep=0.7)
    with pytest.raises(ImportFileError, match=r"第 \d+ 行：工作表在这一行处损坏或被截断") as error:
        run(data, name="hotline.xlsx")
    assert 1000 < error.value.line < ROWS  # openpyxl had yielded the rows before it: 1,000 were stored
    assert_nothing_stored()


@pytest.mark.django_db
def test_cut_or_corrupt_xlsx_bytes_store_nothing():
    data = workbook_bytes()
    with pytest.raises(ImportFileError, match="无法读取 XLSX"):
        run(data[:len(data) // 2], name="hotline.xlsx")  # the zip's directory is at the end: gone
    with pytest.raises(ImportFileError, match="损坏"):
        run(with_sheet_bytes_flipped(data), name="hotline.xlsx")
    assert_nothing_stored()


@pytest.mark.django_db
def test_a_good_workbook_accounts_for_its_blank_rows():
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER)
    rows = appeal_rows(3)
    sheet.append(rows[0])
    sheet.append([None] * 4)
    sheet.append(rows[1])
    sheet.append(rows[2])
    out = io.BytesIO()
    book.save(out)
    result = run(out.getvalue(), name="hotline.xlsx")
    assert result.created == 3 and result.summary.startswith("文件共 5 行：表头 1 行，空行 1 行，数据 3 条（")
    assert [r["outcome"] for r in csv.DictReader(io.StringIO(result.batch.report_csv))] == [
        "created", "blank", "created", "created"]


# ---------------------------------------------------------------- plausibility


@pytest.mark.django_db
def test_implausible_rows_are_reported_and_not_stored():
    rows = appeal_rows(40)
    rows[1][3] = "lorem ipsum dolor sit amet"  # no Chinese
    rows[2][3] = "测试测试测试测试测试测试"  # one piece repeated
    rows[3][2] = "1999/12/31 10:00"  # before 2000
    rows[4][2] = "2003/3/1 10:00"  # far from the file's March 2026
    for i in range(5, 16):
        rows[i][3] = "同一段文字重复导入"  # 11 rows, the same text
    result = run(csv_text(rows).encode())
    flagged = {issue.row: issue for issue in result.implausible}
    assert sorted(flagged) == [3, 4, 5, 6, *range(7, 18)]
    assert "不含汉字" in flagged[3].reason and "“测试”的重复" in flagged[4].reason
    assert "早于 2000 年" in flagged[5].reason and "2003-03-01 远离本文件" in flagged[6].reason
    assert "出现 11 次" in flagged[7].reason
    assert result.created == 40 - 15 == Ticket.objects.count()
    assert not Ticket.objects.filter(external_id__in=[f"export:{r[0]}" for r in rows[1:16]]).exists()
    assert result.batch.implausible_count == 15 and "存疑未导入 15" in result.summary
    assert result.rejected == []


# ---------------------------------------------------------------- the upload page


@pytest.mark.django_db
def test_the_upload_page_shows_the_line_of_a_structural_error_and_the_implausible_rows(client, district):
    client.force_login(district.dispatcher)
    lines = csv_text(appeal_rows(30)).splitlines()
    lines[20] = lines[20].replace("第19号：", '"第19号：')
    upload = io.BytesIO(("\n".join(lines) + "\n").encode())
    upload.name = "web.csv"
    resp = client.post("/intake/import/", {"file": upload, "fmt": "auto", "encoding": "auto", "channel": "hotline"})
    assert resp.status_code == 400 and "第 21 行：引号未闭合" in resp.content.decode()
    assert_nothing_stored()
    rows = appeal_rows(3)
    rows[1][3] = "asdfgh"
    upload = io.BytesIO(csv_text(rows).encode())
    upload.name = "web.csv"
    resp = client.post("/intake/import/", {"file": upload, "fmt": "auto", "encoding": "auto", "channel": "hotline",
                                           "receipts": ""})
    page = client.get(resp["Location"]).content.decode()
    assert "文件共 4 行：表头 1 行，空行 0 行，数据 3 条（新建 2，已导入过跳过 0，拒绝 0，存疑未导入 1）" in page
    assert "内容不含汉字" in page and "存疑，未导入" in page
