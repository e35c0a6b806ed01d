"""The board, the project page, its forms and the JSON API, by role."""

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from youhu.projects.models import Node, Problem, ProgressReport

pytestmark = pytest.mark.django_db


@pytest.fixture
def two(zone):
    mine = zone.project("P-MINE", name="琶洲数字总部", lon=113.37, lat=23.098)
    zone.node(mine, "施工许可", date(2026, 2, 27))  # red at zone.now
    other = zone.project("P-OTHER", name="教育局的学校", leader=zone.leader_b, lead=zone.other)
    zone.node(other, "竣工验收", date(2026, 12, 31), owner=zone.other)
    return mine, other


def login(client, user):
    client.force_login(user)
    return client


def test_board_shows_lights_filters_and_red_list(client, zone, two, monkeypatch):
    monkeypatch.setattr("youhu.clock.now", lambda: zone.now)
    page = login(client, zone.office).get("/projects/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "琶洲数字总部" in body and "教育局的学校" in body and 'id="pj-data"' in body
    assert page.context["counts"] == {"green": 1, "yellow": 0, "red": 1}
    assert [r.project.code for r in page.context["red_list"]] == ["P-MINE"]
    filtered = client.get("/projects/", {"leader": zone.leader_b.pk})
    assert [r.project.code for r in filtered.context["rows"]] == ["P-OTHER"]
    red = client.get("/projects/", {"light": "red"})
    assert [r.project.code for r in red.context["rows"]] == ["P-MINE"]
    assert "施工许可" in client.get("/projects/red/").content.decode()


def test_pages_by_role(client, zone, two):
    assert login(client, zone.lead_handler).get("/projects/P-MINE/").status_code == 200
    assert client.get("/projects/P-OTHER/").status_code == 404
    board = client.get("/projects/")
    assert [r.project.code for r in board.context["rows"]] == ["P-MINE"]
    assert login(client, zone.leader_b).get("/projects/P-MINE/").status_code == 404
    assert login(client, zone.district.dispatcher).get("/projects/").status_code == 403


def test_unit_completes_a_node_reports_and_raises_a_problem_from_the_page(client, zone, two):
    mine, _ = two
    node = Node.objects.get(project=mine)
    login(client, zone.land_handler)
    client.post(f"/projects/P-MINE/nodes/{node.pk}/complete/", {f"n{node.pk}-actual_end": "2026-03-02",
                f"n{node.pk}-evidence": [SimpleUploadedFile("现场照片.jpg", b"\xff\xd8\xff test")]})
    node.refresh_from_db()
    assert node.actual_end == date(2026, 3, 2)
    # the land bureau is not the lead unit: its report is refused with a message, nothing stored
    answer = client.post("/projects/P-MINE/report/", {"month": "2026-02", "text": "进展", "investment_completed": "1"},
                         follow=True)
    assert "不能填报月度进展" in answer.content.decode() and not ProgressReport.objects.exists()
    login(client, zone.lead_handler)
    client.post("/projects/P-MINE/report/", {"month": "2026-02", "text": "完成桩基", "investment_completed": "80"})
    assert ProgressReport.objects.get().text == "完成桩基"
    client.post("/projects/P-MINE/problems/", {"kind": "power", "unit": zone.land.pk, "title": "临电接入慢",
                                               "content": "请协调供电。"})
    problem = Problem.objects.get()
    assert problem.ticket.main_unit == zone.land
    assert problem.ticket.number in client.get("/projects/P-MINE/").content.decode()


def test_api_lists_by_role_and_reports_field_errors(client, zone, two):
    login(client, zone.leader)
    listed = client.get("/api/projects/").json()
    assert [p["code"] for p in listed] == ["P-MINE"] and listed[0]["nodes"][0]["name"] == "施工许可"
    assert client.get("/api/projects/P-OTHER").status_code == 404
    board = client.get("/api/projects/board").json()
    assert board["points"][0]["code"] == "P-MINE" and board["tallies"]["stage"][0]["count"] == 1
    assert client.get("/api/projects/streets").status_code == 200
    login(client, zone.lead_handler)
    bad = client.post("/api/projects/P-MINE/reports", {"month": "2026-02", "text": "", "investment_completed": "5"},
                      content_type="application/json")
    assert bad.status_code == 400 and bad.json()["field"] == "text"
    for month in ("2026-13", "0001-01", "9999-12"):  # the API's error format, the month's field, as the others
        bad = client.post("/api/projects/P-MINE/reports", {"month": month, "text": "进展", "investment_completed": "5"},
                          content_type="application/json")
        assert bad.status_code == 400 and bad.json()["field"] == "month" and bad.json()["code"] == "invalid_input"
    ok = client.post("/api/projects/P-MINE/problems", {"kind": "land", "title": "用地指标", "content": "缺指标",
                                                       "unit": zone.land.pk}, content_type="application/json")
    assert ok.status_code == 201
    assert client.get("/api/projects/P-MINE").json()["open_problem_list"][0]["ticket"] == ok.json()["ticket"]


def test_evidence_is_checked_on_upload_and_served_only_to_viewers(client, zone, two):
    mine, _ = two
    node = Node.objects.get(project=mine)
    login(client, zone.land_handler)
    answer = client.post(f"/projects/P-MINE/nodes/{node.pk}/complete/", {f"n{node.pk}-actual_end": "2026-03-02",
                         f"n{node.pk}-evidence": [SimpleUploadedFile("run.exe", b"MZ")]}, follow=True)
    assert "类型不支持" in answer.content.decode()
    node.refresh_from_db()
    assert node.actual_end is None
    client.post(f"/projects/P-MINE/nodes/{node.pk}/complete/", {f"n{node.pk}-actual_end": "2026-03-02",
                f"n{node.pk}-evidence": [SimpleUploadedFile("批复.pdf", b"%PDF-1.4 approval")]})
    evidence = node.evidence.get()
    download = client.get(f"/projects/P-MINE/evidence/{evidence.pk}/")
    assert download.status_code == 200 and b"".join(download.streaming_content) == b"%PDF-1.4 approval"
    assert login(client, zone.other_handler).get(f"/projects/P-MINE/evidence/{evidence.pk}/").status_code == 404
    login(client, zone.lead_handler)
    answer = client.post("/projects/P-MINE/report/", {"month": "2026-02", "text": "完成桩基", "investment_completed": "80",
                                                      "photos": [SimpleUploadedFile("现场.jpg", b"not an image")]},
                         follow=True)
    assert "不是有效的图片" in answer.content.decode() and not ProgressReport.objects.exists()
