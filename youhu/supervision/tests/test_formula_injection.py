"""A ticket's text can never become a live formula in the files supervisors download and open in Excel."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook

pytestmark = pytest.mark.django_db

FORMULA = '=HYPERLINK("http://x","y")'


@pytest.fixture
def formula_ticket(october):
    ticket = october.tickets["T4"]  # overdue: it is in the workbook's 超期工单 sheet as well as the CSV
    ticket.title = FORMULA
    ticket.save(update_fields=["title"])
    return ticket


def test_the_ticket_csv_neutralises_a_formula_title(client, october, formula_ticket):
    client.force_login(october.district.supervisor)
    response = client.get("/supervision/tickets.csv")
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = {row["工单编号"]: row for row in csv.DictReader(io.StringIO(body))}
    assert rows[formula_ticket.number]["标题"] == "'" + FORMULA


def test_the_monthly_workbook_neutralises_a_formula_title(client, october, formula_ticket):
    client.force_login(october.district.supervisor)
    response = client.get("/supervision/report.xlsx?month=2026-10")
    overdue = load_workbook(io.BytesIO(response.content))["超期工单"]
    titles = [row[1] for row in overdue.iter_rows(min_row=2) if row[0].value == formula_ticket.number]
    assert len(titles) == 1
    assert titles[0].data_type == "s" and titles[0].value == "'" + FORMULA


def test_the_workbook_enterprise_sheet_neutralises_names_and_keeps_negative_numbers(client, october, monkeypatch):
    """The 企业服务 sheet's groups are named by what companies registered (industry, building)."""
    figures = {"visits": -2, "by_industry": [{"industry": FORMULA, "visits": 1, "demands_raised": -3}],
               "by_building": [{"building": "@SUM(A1)", "visits": 0}]}
    monkeypatch.setattr("youhu.supervision.reports.zone_figures", lambda start, end, companies=None: figures)
    client.force_login(october.district.supervisor)
    sheet = load_workbook(io.BytesIO(client.get("/supervision/report.xlsx?month=2026-10").content))["企业服务"]
    cells = {c.value: c for row in sheet.iter_rows() for c in row if c.value is not None}
    assert "'" + FORMULA in cells and "'@SUM(A1)" in cells and FORMULA not in cells
    assert cells[-3].data_type == "n" and cells[-2].data_type == "n"  # numbers stay numbers


def test_the_scored_replies_file_neutralises_a_formula_title():
    from youhu.supervision.replies_file import score_file

    source = io.StringIO()
    csv.writer(source).writerows([["title", "text", "reply"], [FORMULA, "路灯不亮", "+已修复"]])
    out = io.StringIO()
    score_file(io.StringIO(source.getvalue()), out)
    row = next(csv.DictReader(io.StringIO(out.getvalue())))
    assert row["title"] == "'" + FORMULA and row["reply"] == "'+已修复"
