"""The supervisor's pages and API: reading the figures and acting on tickets by hand."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from youhu.testing.factories import at
from youhu.tickets import services
from youhu.tickets.models import Extension, Notification, Status

pytestmark = pytest.mark.django_db


@pytest.fixture
def supervisor_client(client, october):
    client.force_login(october.district.supervisor)
    return client


def test_pages_show_figures_and_ranking(supervisor_client, october):
    home = supervisor_client.get("/supervision/?month=2026-10")
    assert home.status_code == 200 and "受理量" in home.content.decode()
    page = supervisor_client.get("/supervision/ranking/?month=2026-10").content.decode()
    assert october.district.roads.name in page and "样本不足" in page


def test_future_month_is_a_message_not_an_error(supervisor_client):
    page = supervisor_client.get("/supervision/ranking/?month=2099-01", follow=True)
    assert page.status_code == 200 and "尚未开始" in page.content.decode()


def test_workbook_download(supervisor_client):
    response = supervisor_client.get("/supervision/report.xlsx?month=2026-10")
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    assert "考核排名" in load_workbook(io.BytesIO(response.content)).sheetnames


def test_handlers_cannot_enter(client, october):
    client.force_login(october.district.handler)
    assert client.get("/supervision/overdue/").status_code == 403
    assert client.get("/supervision/").status_code == 403


def test_supervise_and_notice_by_hand(supervisor_client, october):
    t4 = october.tickets["T4"]
    assert t4.number in supervisor_client.get("/supervision/overdue/").content.decode()
    supervisor_client.post(f"/supervision/tickets/{t4.pk}/escalate", {"kind": "supervise", "message": "限期办理"})
    supervisor_client.post(f"/supervision/tickets/{t4.pk}/escalate", {"kind": "notice"})
    assert list(t4.events.filter(action__in=["supervise", "notice"]).values_list("action", flat=True)) == [
        "supervise", "notice"]
    assert Notification.objects.filter(ticket=t4, unit=october.district.roads, kind="supervise").exists()
    closed = october.tickets["T1"]
    page = supervisor_client.post(f"/supervision/tickets/{closed.pk}/escalate", {"kind": "supervise"}, follow=True)
    assert "不在办理中" in page.content.decode()


def test_extension_decisions(supervisor_client, october):
    d = october.district
    t4 = october.tickets["T4"]
    services.accept(t4, by=d.handler, now=at("2026-10-12 10:00"))
    ext = services.request_extension(t4, by=d.handler, working_days=2, reason="需协调", now=at("2026-10-13 09:00"))
    page = supervisor_client.post(f"/supervision/extensions/{ext.pk}/decide", {"decision": "refuse"}, follow=True)
    assert "驳回理由" in page.content.decode()
    ext.refresh_from_db()
    assert ext.state == Extension.State.PENDING  # refusing needs a reason: nothing stored
    supervisor_client.post(f"/supervision/extensions/{ext.pk}/decide", {"decision": "approve"})
    ext.refresh_from_db()
    assert ext.state == Extension.State.APPROVED


def test_send_back_and_release(supervisor_client, october):
    d = october.district
    t2 = october.tickets["T2"]  # replied, dissatisfied, waiting for the centre
    supervisor_client.post(f"/supervision/tickets/{t2.pk}/send-back", {"reason": "答复未回应诉求"})
    t2.refresh_from_db()
    assert t2.status == Status.HANDLING and t2.reopen_count == 1
    services.reply(t2, by=d.handler, text="已收悉。", now=at("2026-10-28 10:00"))
    services.withhold_reply(t2, by=None, reason="答复质量得分低", now=at("2026-10-28 10:00"))
    assert t2.number in supervisor_client.get("/supervision/replies/").content.decode()
    supervisor_client.post(f"/supervision/tickets/{t2.pk}/release", {})
    t2.refresh_from_db()
    assert not t2.reply_withheld


def test_csv_export_for_a_unit_user(client, october):
    client.force_login(october.district.env_handler)
    response = client.get("/supervision/tickets.csv")
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff工单编号")
    assert october.tickets["E1"].number in body and october.tickets["T1"].number not in body


def test_api_ranking_and_metrics(supervisor_client, october):
    data = supervisor_client.get("/api/supervision/ranking?month=2026-10").json()
    assert data["ranked"][0]["unit_name"] == october.district.roads.name and data["ranked"][0]["rank"] == 1
    figures = supervisor_client.get(f"/api/supervision/metrics?month=2026-10&unit={october.district.roads.pk}").json()
    assert figures["figures"]["received"] == 5
    bad = supervisor_client.get("/api/supervision/ranking?month=2099-01")
    assert bad.status_code == 400 and "尚未开始" in bad.json()["message"] and bad.json()["field"] == "month"


def test_api_refuses_handlers(client, october):
    client.force_login(october.district.handler)
    assert client.get("/api/supervision/ranking?month=2026-10").status_code == 403


def test_download_of_a_future_month_goes_back_with_a_message(supervisor_client):
    page = supervisor_client.get("/supervision/report.xlsx?month=2099-01", follow=True)
    assert page.status_code == 200 and "尚未开始" in page.content.decode()


def test_unit_head_sees_only_its_own_figures(client, october):
    from youhu.testing.factories import make_user

    d = october.district
    head = make_user("roads-head", "unit_head", unit=d.roads)
    client.force_login(head)
    page = client.get(f"/supervision/?month=2026-10&unit={d.env.pk}").content.decode()
    assert d.roads.name in page and f"{d.env.name}（含下级单位）" not in page
    own = client.get(f"/api/supervision/metrics?month=2026-10&unit={d.roads.pk}")
    assert own.status_code == 200 and own.json()["figures"]["received"] == 5
    assert client.get(f"/api/supervision/metrics?month=2026-10&unit={d.env.pk}").status_code == 403
    assert client.get("/supervision/overdue/").status_code == 403  # acting is for supervisors
    assert "/supervision/overdue/" not in page  # and is not offered to them


def test_home_counts_the_overdue_work_up_to_the_cap(supervisor_client, october, monkeypatch):
    from youhu.supervision import selectors
    from youhu.tickets import search

    district_id = october.district.supervisor.district_id
    overdue = selectors.overdue_tickets(district_id=district_id).count()
    assert overdue >= 2
    page = supervisor_client.get("/supervision/?month=2026-10").content.decode()
    assert f"超期未办结 <strong>{overdue}</strong>" in page
    monkeypatch.setattr(search, "COUNT_CAP", overdue - 1)  # a district with more overdue work than is counted
    page = supervisor_client.get("/supervision/?month=2026-10").content.decode()
    assert f"超期未办结 <strong>{overdue - 1}+</strong>" in page
