"""A small set of key projects on top of the `district` fixture: the office, two leaders, a lead unit,
a node-owning unit, a stranger unit and a CSO with a company."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from youhu.enterprise.models import Company
from youhu.enterprise.uscc import with_check_character
from youhu.projects import services
from youhu.projects.models import Project
from youhu.testing.factories import at, make_unit, make_user


class Zone:
    def __init__(self, district) -> None:
        self.district = district
        self.now = at("2026-03-04 10:00")  # a Wednesday
        self.lead = make_unit("琶洲试验区管委会")
        self.land = make_unit("区规划和自然资源分局")
        self.other = make_unit("区教育局")
        self.office = make_user("xmb", "project_office")
        self.leader = make_user("leader_a", "project_leader")
        self.leader_b = make_user("leader_b", "project_leader")
        self.lead_handler = make_user("pz", "handler", unit=self.lead)
        self.land_handler = make_user("land", "handler", unit=self.land)
        self.other_handler = make_user("edu", "handler", unit=self.other)
        self.cso = make_user("cso_a", "service_officer")
        self.company = Company.objects.create(name="广州测试科技有限公司", uscc=with_check_character("91440105YHT000001"),
                                              service_officer=self.cso, created_at=self.now, updated_at=self.now)

    def project(self, code: str = "P-001", *, leader=None, company=None, lead=None, **fields) -> Project:
        data = services.ProjectData(code=code, name=fields.pop("name", f"测试项目{code}"), kind="industry",
                                    stage="building", lead_unit=lead or self.lead, total_investment=Decimal(1000),
                                    leader=leader or self.leader, company=company, street=self.district.street,
                                    **fields)
        return services.save_project(data, by=self.office, now=self.now)[0]

    def node(self, project: Project, name: str, planned_end: date, *, owner=None, **fields):
        data = services.NodeData(name=name, planned_end=planned_end, owner_unit=owner or self.land, **fields)
        return services.save_node(project, data, by=self.office, now=self.now)[0]


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    """Evidence and photos are written below a temporary folder, not the checkout's var/media."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def zone(district) -> Zone:
    return Zone(district)
