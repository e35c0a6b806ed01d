from datetime import timedelta

import pytest

from youhu import clock
from youhu.projects import services
from youhu.projects.models import Project
from youhu.testing.factories import make_unit, make_user

from .conftest import login

pytestmark = pytest.mark.django_db(transaction=True)


def test_board_and_project_page_render(page, live_server, district):
    today = clock.now().date()
    lead = make_unit("琶洲试验区管委会")
    make_user("xmb", "project_office")
    leader = make_user("leader_a", "project_leader")
    for i, (name, end, lon) in enumerate([("琶洲数字总部", today - timedelta(days=10), 113.37),
                                          ("新港东路提升", today + timedelta(days=2), 113.355),
                                          ("琶洲实验学校", today + timedelta(days=90), 113.38)]):
        data = services.ProjectData(code=f"E2E-{i}", name=name, kind="industry", stage="building", lead_unit=lead,
                                    leader=leader, street=district.street, lon=lon, lat=23.098)
        project, _ = services.save_project(data, by=None)
        services.save_node(project, services.NodeData(name="立项批复", planned_start=today - timedelta(days=120),
                                                      planned_end=today - timedelta(days=60), owner_unit=lead,
                                                      actual_start=today - timedelta(days=118),
                                                      actual_end=today - timedelta(days=65)), by=None)
        services.save_node(project, services.NodeData(name="施工许可", planned_start=today - timedelta(days=40),
                                                      planned_end=end, owner_unit=lead,
                                                      actual_start=today - timedelta(days=30)), by=None)
    services.raise_problem(Project.objects.get(code="E2E-0"), services.ProblemData(
        kind="land", title="用地指标未落实", content="请协调用地指标。", unit=district.roads), by=None)
    login(page, live_server, "xmb")
    page.goto(f"{live_server.url}/projects/")
    page.wait_for_selector("#pj-map .scatterlayer .trace")
    assert page.locator('[data-count="red"]').inner_text() == "1"
    assert page.locator('[data-count="yellow"]').inner_text() == "1"
    assert page.locator("#pj-gantt .barlayer .trace").count() == 2
    page.wait_for_function("document.querySelectorAll('#pj-map .scatterlayer .trace').length >= 18")
    page.shoot("projects-board")
    page.get_by_role("link", name="琶洲数字总部").first.click()
    page.wait_for_selector("#pj-gantt .barlayer .trace")
    assert "用地指标未落实" in page.locator("#problems-h").locator("..").inner_text()
    page.shoot("project-page")
    assert page.js_errors == []
