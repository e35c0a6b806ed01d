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
