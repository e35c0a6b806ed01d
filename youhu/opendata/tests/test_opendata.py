"""/open/: published appeals only, aggregated; units' monthly rates and ranking; masked replies; a safe CSV."""

import csv
import io

import pytest
from django.core.cache import cache

from youhu.testing.factories import at, make_area, make_category
from youhu.tickets import services
from youhu.tickets.models import Status, Ticket

NOW = at("2026-03-20 10:00")


@pytest.fixture(autouse=True)
def fresh_figures(db, monkeypatch):
    cache.clear()  # the figures are cached per month
    monkeypatch.setattr("youhu.clock.now", lambda: NOW)


def rows(client, month="2026-03") -> list[list[str]]:
    resp = client.get(f"/open/figures.csv?month={month}")
    assert resp.status_code == 200 and resp["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(resp.content.decode("utf-8-sig"))))


@pytest.mark.django_db
def test_page_counts_published_appeals_ranks_units_and_masks_replies(client, district):
    replied = district.ticket_in(Status.HANDLING, appellant_name="王小五", appellant_phone="13700137000",
                                 street=district.street)
    services.reply(replied, by=district.handler, text="王小五先生：路灯已修复，联系人李科长 020-83456789。")
    district.ticket_in(Status.HANDLING, street=district.street)
    secret = make_category("纪检监察/干部作风/态度")
    secret.root.published = False
    secret.root.save()
    hidden = district.ticket_in(Status.HANDLING, street=district.street)
    Ticket.objects.filter(pk=hidden.pk).update(category=secret)

    page = client.get("/open/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="open-total">2<' in html  # the unpublished category's appeal is not counted
    assert "<td>琶洲街道</td>" in html and "<td>城乡建设</td>" in html and "<td>纪检监察</td>" not in html
    assert "区住房建设和交通局" in html and "响应率" in html and "按时办结率" in html
    assert "路灯已修复" in html and "王小五" not in html and "13700137000" not in html and "83456789" not in html
    table = rows(client)
    assert table[0] == ["表", "名称", "统计期", "指标", "数值"]
    assert ["街道", "琶洲街道", "2026-03", "诉求量", "2"] in table
    assert ["全区", "全区", "2026-03", "诉求量", "2"] in table
    assert ["单位", "区住房建设和交通局", "2026-03", "受理量", "3"] in table  # rates count every dispatched ticket
    assert ["月度趋势", "全区", "2026-03", "诉求量", "2"] in table


@pytest.mark.django_db
def test_csv_cells_cannot_become_formulas_and_months_are_checked(client, district):
    street = make_area("=HYPERLINK(\"http://x\",\"y\")")
    district.ticket_in(Status.HANDLING, street=street)
    assert ["街道", "'=HYPERLINK(\"http://x\",\"y\")", "2026-03", "诉求量", "1"] in rows(client)
    for month in ("0001-01", "9999-12", "2026-13", "2026-04", "x"):
        assert client.get(f"/open/?month={month}").status_code == 400
        assert client.get(f"/open/figures.csv?month={month}").status_code == 400
    assert client.get("/open/?month=2025-04").status_code == 200  # the twelve months offered
    assert client.get("/open/?month=2025-03").status_code == 400


@pytest.mark.django_db
def test_portal_links_to_the_open_page_and_the_map_is_public(client, district):
    assert 'href="/open/"' in client.get("/portal/").content.decode()
    shapes = client.get("/open/streets.geojson").json()
    assert shapes["type"] == "FeatureCollection"
