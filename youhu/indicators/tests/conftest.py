from __future__ import annotations

import pytest

from youhu.indicators import periods, tree
from youhu.indicators.models import Entity

SMALL_TREE = [
    {"code": "scale", "name": "产业规模", "weight": 0.5, "indicators": [
        {"code": "revenue", "name": "营业收入", "unit": "亿元", "weight": 0.6, "source": "company"},
        {"code": "companies", "name": "入驻企业数", "unit": "家", "weight": 0.4, "source": "platform",
         "auto": "companies"},
    ]},
    {"code": "business", "name": "营商环境", "weight": 0.5, "indicators": [
        {"code": "response_rate", "name": "12345响应率", "unit": "%", "weight": 0.5, "source": "platform",
         "auto": "response_rate"},
        {"code": "approval_days", "name": "审批用时", "unit": "工作日", "direction": "lower", "weight": 0.5,
         "source": "unit"},
    ]},
]


@pytest.fixture
def small_tree(db):
    return tree.publish(SMALL_TREE, by=None, note="测试")


@pytest.fixture
def parks(db):
    return [Entity.objects.create(code=f"P{k}", name=name, kind=Entity.Kind.PARK)
            for k, name in enumerate(["琶洲互联网创新集聚区", "会展数字产业园", "南岸人工智能园"], start=1)]


@pytest.fixture
def year(db):
    return periods.get_or_create("2025")
