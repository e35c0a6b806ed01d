"""Which unit a ticket goes to: the category's default unit, refined by place.

All of it is data: Category.default_unit / is_local (taxonomy) and RoutingRule (this app).
"""

from __future__ import annotations

from dataclasses import dataclass

from youhu.directory.models import Area, Unit
from youhu.taxonomy.models import Category

from .models import RoutingRule


@dataclass(frozen=True)
class Route:
    unit: Unit | None
    reason: str  # shown to the dispatcher: why this unit, or why none


def category_for_label(label: str) -> Category | None:
    """The active first-level category the classifier's label names."""
    if not label:
        return None
    return Category.objects.filter(level=1, name=label, active=True).first()


def street_office(street: Area | None) -> Unit | None:
    if street is None:
        return None
    return Unit.objects.filter(kind=Unit.Kind.STREET_OFFICE, area=street.street, active=True).first()


def _rule_for(category: Category, street: Area | None) -> RoutingRule | None:
    chain = category.ancestors()
    rules = list(RoutingRule.objects.filter(category__in=chain, active=True, unit__active=True)
                 .select_related("unit"))
    for node in chain:  # nearest category first
        for wanted in ([street.pk] if street else []) + [None]:  # the street's own rule before the district's
            for rule in rules:
                if rule.category_id == node.pk and rule.street_id == wanted:
                    return rule
    return None


def route(category: Category | None, street: Area | None) -> Route:
    if category is None:
        return Route(None, "未能确定分类")
    street = street.street if street else None
    rule = _rule_for(category, street)
    if rule is not None:
        scope = rule.street.name if rule.street else "全区"
        return Route(rule.unit, f"派单规则：{rule.category.name}（{scope}）→ {rule.unit}")
    if category.effective_is_local():
        if street is None:
            return Route(None, "属地事项，但未能确定所在街道")
        office = street_office(street)
        if office is None:
            return Route(None, f"属地事项，但{street}没有登记街道办")
        return Route(office, f"属地事项，派所在街道：{street}")
    unit = category.effective_unit()
    if unit is None or not unit.active:
        return Route(None, f"分类“{category.name}”未设置默认承办单位")
    return Route(unit, f"分类“{category.name}”的默认承办单位")


def unit_for_label(label: str, street: Area | None = None) -> Unit | None:
    """The unit a first-level label would be dispatched to (for `youhu classify`)."""
    return route(category_for_label(label), street).unit
