"""The pages and the API as a CSO, a supervisor and a company using the portal see them."""

import io
import json
import re

from django.urls import reverse

from youhu.enterprise.models import Company, CompanyDemand, Visit
from youhu.tickets.models import Status

from .conftest import fictitious_uscc


def _login(client, user):
    client.force_login(user)
    return client


def test_cso_records_a_visit_with_two_issues_on_the_page(client, zone):
    company = zone.company("琶洲示例一号公司", officer=zone.cso_a)
    _login(client, zone.cso_a)
    url = reverse("enterprise:visit_new", args=[company.pk])
    assert client.get(url).status_code == 200
    data = {
        "visited_on": "2026-01-05", "people_met": "王经理", "topics": "了解企业经营情况", "notes": "",
        "issues-TOTAL_FORMS": "3", "issues-INITIAL_FORMS": "0", "issues-MIN_NUM_FORMS": "0",
        "issues-MAX_NUM_FORMS": "20",
        "issues-0-title": "研发补贴申报", "issues-0-content": "希望了解研发补贴申报条件",
        "issues-0-category": str(zone.policy.pk), "issues-0-urgency": "normal",
        "issues-1-title": "新增用地", "issues-1-content": "扩产需要新增用地",
        "issues-1-category": str(zone.land_category.pk), "issues-1-urgency": "urgent",
        "issues-2-title": "", "issues-2-content": "", "issues-2-category": "", "issues-2-urgency": "normal",
    }
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    visit = Visit.objects.get()
    tickets = [d.ticket for d in visit.demands.order_by("id")]
    assert [t.status for t in tickets] == [Status.DISPATCHED, Status.DISPATCHED]
    assert [t.main_unit for t in tickets] == [zone.dev, zone.land]
    page = client.get(reverse("enterprise:company", args=[company.pk])).content.decode()
    assert tickets[0].number in page and tickets[1].number in page and "13800138000" in page
    detail = client.get(reverse("enterprise:demand", args=[tickets[1].number]))
    assert detail.status_code == 200 and "区规划和自然资源分局" in detail.content.decode()
    home = client.get(reverse("enterprise:home")).content.decode()
    assert "琶洲示例一号公司" in home and tickets[0].number in home


def test_future_visit_shows_the_error_and_stores_nothing(client, zone):
    company = zone.company("琶洲示例一号公司", officer=zone.cso_a)
    _login(client, zone.cso_a)
    response = client.post(reverse("enterprise:visit_new", args=[company.pk]), {
        "visited_on": "2099-01-01", "people_met": "王经理", "topics": "x",
        "issues-TOTAL_FORMS": "0", "issues-INITIAL_FORMS": "0"})
    assert response.status_code == 400 and "晚于今天" in response.content.decode()
    assert not Visit.objects.exists()


def test_cso_cannot_open_another_officers_company(client, zone):
    other = zone.company("乙公司", officer=zone.cso_b)
    _login(client, zone.cso_a)
    assert client.get(reverse("enterprise:company", args=[other.pk])).status_code == 404
    assert "乙公司" not in client.get(reverse("enterprise:home")).content.decode()
    _login(client, zone.district.handler)
    assert client.get(reverse("enterprise:home")).status_code == 403


def test_supervisor_sees_masked_free_contacts_and_reassigns(client, zone):
    company = zone.company("琶洲示例一号公司", officer=zone.cso_a)
    _login(client, zone.district.supervisor)
    url = reverse("enterprise:assign", args=[company.pk])
    assert client.post(url, {"officer": zone.cso_b.pk, "reason": ""}).status_code == 400
    assert client.post(url, {"officer": zone.cso_b.pk, "reason": "工作调整"}).status_code == 302
    assert Company.objects.get().service_officer == zone.cso_b
    _login(client, zone.district.dispatcher)
    page = client.get(reverse("enterprise:company", args=[company.pk])).content.decode()
    assert "138****8000" in page and "13800138000" not in page


def test_import_page_reports_rows(client, zone):
    _login(client, zone.district.admin)
    text = f"企业名称,统一社会信用代码\n甲公司,{fictitious_uscc()}\n乙公司,91440105YHT00000X0\n"
    upload = io.BytesIO(text.encode("utf-8"))
    upload.name = "companies.csv"
    response = client.post(reverse("enterprise:import"), {"file": upload})
    page = response.content.decode()
    assert response.status_code == 200 and "数据 2 条（新增 1，更新 0，拒绝 1）" in page and "校验位" in page
    _login(client, zone.cso_a)
    assert client.get(reverse("enterprise:import")).status_code == 403


def test_figures_page(client, zone):
    _login(client, zone.district.supervisor)
    response = client.get(reverse("enterprise:figures"), {"start": "2026-01-01", "end": "2026-03-31"})
    assert response.status_code == 200 and "企业诉求解决率" in response.content.decode()
    assert client.get(reverse("enterprise:figures"), {"start": "2026-03-01", "end": "2026-01-01"}).status_code == 400


def test_portal_submission(client, zone, settings):
    settings.YOUHU = {**settings.YOUHU, "ENTERPRISE_PORTAL_SHOW_CODE": True}
    company = zone.company("琶洲示例一号公司", officer=zone.cso_a)
    url = reverse("enterprise:portal")
    bad = client.post(url, {"step": "start", "uscc": company.uscc, "phone": "13900000000"})
    assert bad.status_code == 400 and "不匹配" in bad.content.decode()
    page = client.post(url, {"step": "start", "uscc": company.uscc, "phone": "13800138000"}).content.decode()
    code = re.search(r'<strong class="mono">(\d{6})</strong>', page).group(1)
    done = client.post(url, {"step": "demand", "code": code, "title": "人才公寓申请",
                             "content": "新引进的研发人员申请人才公寓", "category": zone.policy.pk})
    assert done.status_code == 200
    demand = CompanyDemand.objects.get()
    assert demand.company == company and demand.ticket.number in done.content.decode()


def test_api_visit_and_company(client, zone):
    company = zone.company("琶洲示例一号公司", officer=zone.cso_a)
    _login(client, zone.cso_a)
    payload = {"visited_on": "2026-01-05", "people_met": "王经理", "topics": "经营情况",
               "issues": [{"title": "研发补贴", "content": "申报条件", "category_id": zone.policy.pk},
                          {"title": "用地", "content": "扩产用地", "category_id": zone.land_category.pk}]}
    response = client.post(f"/api/enterprise/companies/{company.pk}/visits", json.dumps(payload),
                           content_type="application/json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert [t["status"] for t in body["tickets"]] == ["dispatched", "dispatched"]
    assert all(t["reply_due"] for t in body["tickets"])
    detail = client.get(f"/api/enterprise/companies/{company.pk}").json()
    assert len(detail["demands"]) == 2 and detail["contacts"][0]["phone"] == "13800138000"
    future = {**payload, "visited_on": "2099-01-01"}
    bad = client.post(f"/api/enterprise/companies/{company.pk}/visits", json.dumps(future),
                      content_type="application/json")
    assert bad.status_code == 400 and bad.json()["field"] == "visited_on"
    _login(client, zone.cso_b)
    assert client.get(f"/api/enterprise/companies/{company.pk}").status_code == 404


def test_cso_plans_a_visit_on_the_company_page(client, zone):
    company = zone.company("琶洲示例一号公司", officer=zone.cso_a)
    _login(client, zone.cso_a)
    url = reverse("enterprise:plan", args=[company.pk])
    past = client.post(url, {"planned_on": "2020-01-01", "purpose": "季度走访"})
    assert past.status_code == 400 and "不能早于今天" in past.content.decode()
    assert client.post(url, {"planned_on": "2099-01-01", "purpose": "季度走访"}).status_code == 302
    assert company.visit_plans.get().officer == zone.cso_a


def test_api_registry_errors(client, zone):
    _login(client, zone.district.admin)
    good = {"name": "琶洲示例接口公司", "uscc": fictitious_uscc(), "street_id": zone.district.street.pk,
            "contacts": [{"name": "李四", "phone": "13900000009"}]}
    created = client.post("/api/enterprise/companies", json.dumps(good), content_type="application/json")
    assert created.status_code == 201, created.content
    company_id = created.json()["id"]
    again = client.post("/api/enterprise/companies", json.dumps({**good, "name": "另一家"}),
                        content_type="application/json")
    assert again.status_code == 409 and again.json()["field"] == "uscc"
    wrong = {**good, "uscc": good["uscc"][:17] + ("0" if good["uscc"][17] != "0" else "1")}
    bad = client.post("/api/enterprise/companies", json.dumps(wrong), content_type="application/json")
    assert bad.status_code == 400 and "校验位" in bad.json()["message"]
    unknown = client.post(f"/api/enterprise/companies/{company_id}/officer",
                          json.dumps({"officer": "nobody"}), content_type="application/json")
    assert unknown.status_code == 400 and unknown.json()["field"] == "officer"
    ok = client.post(f"/api/enterprise/companies/{company_id}/officer",
                     json.dumps({"officer": "cso_a"}), content_type="application/json")
    assert ok.status_code == 200 and Company.objects.get(pk=company_id).service_officer == zone.cso_a
    assert Company.objects.count() == 1


def test_visit_form_offers_more_issue_rows(client, zone):
    company = zone.company("琶洲示例一号公司", officer=zone.cso_a)
    _login(client, zone.cso_a)
    url = reverse("enterprise:visit_new", args=[company.pk])
    page = client.get(url, {"issues": "5"}).content.decode()
    assert 'name="issues-TOTAL_FORMS" value="5"' in page and "?issues=7" in page
    assert 'name="issues-TOTAL_FORMS" value="2"' in client.get(url, {"issues": "abc"}).content.decode()
    assert 'name="issues-TOTAL_FORMS" value="2"' in client.get(url, {"issues": "²"}).content.decode()  # a digit int() refuses
