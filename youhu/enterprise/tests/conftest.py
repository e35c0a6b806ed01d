"""A small zone on top of the `district` fixture: enterprise categories with units, two CSOs."""

from __future__ import annotations

import itertools

import pytest

from youhu.enterprise import services
from youhu.enterprise.categories import ROOT
from youhu.enterprise.models import Building, Company
from youhu.enterprise.uscc import with_check_character
from youhu.taxonomy.models import Category
from youhu.testing.factories import at, make_unit, make_user

_seq = itertools.count(1)


def fictitious_uscc() -> str:
    # 91 (enterprise, company) + 440105 (Haizhu) + a made-up organisation code.
    return with_check_character(f"91440105YHT{next(_seq):06d}")


class Zone:
    def __init__(self, district) -> None:
        self.district = district
        self.now = at("2026-03-04 10:00")
        self.dev = make_unit("区发展和改革局")
        self.land = make_unit("区规划和自然资源分局")
        root = Category.objects.get(path=ROOT)
        root.default_unit = self.dev
        root.save()
        self.policy = Category.objects.get(path=f"{ROOT}/政策兑现")
        self.land_category = Category.objects.get(path=f"{ROOT}/用地")
        self.land_category.default_unit = self.land
        self.land_category.save()
        self.dev_handler = make_user("dev", "handler", unit=self.dev)
        self.cso_a = make_user("cso_a", "service_officer")
        self.cso_b = make_user("cso_b", "service_officer")
        self.tower = Building.objects.create(name="琶洲数字大厦", street=district.street)

    def company(self, name: str, *, officer=None, industry: str = "软件和信息技术服务业",
                building: Building | None = None, phone: str = "13800138000") -> Company:
        data = services.CompanyData(
            name=name, uscc=fictitious_uscc(), industry=industry, street=self.district.street,
            building=building, address="琶洲大道 1 号",
            contacts=[services.ContactData("王经理", phone, "行政总监")],
        )
        company = services.register_company(data, by=self.district.admin, now=self.now)
        if officer is not None:
            services.assign_officer(company, officer, by=self.district.admin, now=self.now)
        return company

    def issue(self, title: str = "研发补贴申报进度咨询", *, category: Category | None = None) -> services.Issue:
        return services.Issue(title=title, content=f"{title}：企业希望了解办理进度和所需材料。",
                              category=category or self.policy)


@pytest.fixture
def zone(district) -> Zone:
    return Zone(district)
