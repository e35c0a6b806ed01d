"""Which unit a ticket goes to: the category's default unit, refined by place.

All of it is data: Category.default_unit / is_local (taxonomy) and RoutingRule (this app).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from youhu.directory.models import Area, Unit
from youhu.taxonomy.models import Category

from .models import RoutingRule


@dataclass(frozen=True)
class Route:
    unit: Unit | None
    reason: str  # shown to the dispatcher: why this unit, or why none


class Router:
    """Routing answers that read each piece of reference data (categories, rules, street offices) once.

    One triage asks for up to four routes (the category chosen and the model's top three); without
    this each would re-read the same rows. A Router lives for one call only, never for the process:
    the web and huey worker processes would not see each other's admin edits, so a longer-lived cache
    could route by a rule that was already changed.
    """

    def __init__(self) -> None:
        self._by_label: dict[str, Category | None] = {}
        self._rules: dict[int, list[RoutingRule]] = {}  # category pk → its active rules with an active unit
        self._offices: dict[int, Unit | None] = {}  # street pk → its active street office

    def prefetch_labels(self, labels: Iterable[str]) -> None:
        """Read the categories of all these labels, and their routing rules, in one query each."""
        wanted = [label for label in dict.fromkeys(labels) if label and label not in self._by_label]
        if not wanted:
            return
        found: dict[str, Category] = {}
        for category in (Category.objects.filter(level=1, name__in=wanted, active=True)
                         .select_related("default_unit").order_by("path")):
            found.setdefault(category.name, category)  # as .first() would: the lowest path wins
        for label in wanted:
            self._by_label[label] = found.get(label)
        self._prefetch_rules([c for c in found.values()])

    def category_for_label(self, label: str) -> Category | None:
        """The active first-level category the classifier's label names."""
        if not label:
            return None
        if label not in self._by_label:
            self.prefetch_labels([label])
        return self._by_label[label]

    def _prefetch_rules(self, categories: Iterable[Category]) -> None:
        missing = {node.pk: node for category in categories for node in category.ancestors()
                   if node.pk not in self._rules}
        if not missing:
            return
        for pk in missing:
            self._rules[pk] = []
        for rule in (RoutingRule.objects.filter(category__in=list(missing), active=True, unit__active=True)
                     .select_related("unit", "street", "category")):
            self._rules[rule.category_id].append(rule)

    def rule_for(self, category: Category, street: Area | None) -> RoutingRule | None:
        chain = category.ancestors()
        self._prefetch_rules(chain)
        for node in chain:  # nearest category first
            for wanted in ([street.pk] if street else []) + [None]:  # the street's own rule before the district's
                for rule in self._rules[node.pk]:
                    if rule.street_id == wanted:
                        return rule
        return None

    def street_office(self, street: Area | None) -> Unit | None:
        if street is None:
            return None
        street = street.street
        if street.pk not in self._offices:
            self._offices[street.pk] = Unit.objects.filter(kind=Unit.Kind.STREET_OFFICE, area=street,
                                                           active=True).first()
        return self._offices[street.pk]

    def route(self, category: Category | None, street: Area | None) -> Route:
        route = self._route(category, street)
        place = street.street if street else None
        if route.unit is not None and place is not None and place.district_id is not None \
                and route.unit.district_id != place.district_id:
            # A city's districts route each by their own rules (docs/levels.md): never to another district's unit.
            return Route(None, f"{place}所在区没有“{category.name}”的派单规则（{route.unit}属其他区）")
        return route

    def route_avoiding(self, category: Category | None, street: Area | None, refused: frozenset[int]) -> Route | None:
        """The route, or None when it leads to a unit in `refused`: one that returned the ticket, which its
        suggestions leave out."""
        route = self.route(category, street)
        return None if route.unit is not None and route.unit.pk in refused else route

    def _route(self, category: Category | None, street: Area | None) -> Route:
        if category is None:
            return Route(None, "未能确定分类")
        street = street.street if street else None
        rule = self.rule_for(category, street)
        if rule is not None:
            scope = rule.street.name if rule.street else "全区"
            return Route(rule.unit, f"派单规则：{rule.category.name}（{scope}）→ {rule.unit}")
        if category.effective_is_local():
            if street is None:
                return Route(None, "属地事项，但未能确定所在街道")
            office = self.street_office(street)
            if office is None:
                return Route(None, f"属地事项，但{street}没有登记街道办")
            return Route(office, f"属地事项，派所在街道：{street}")
        unit = category.effective_unit()
        if unit is None or not unit.active:
            return Route(None, f"分类“{category.name}”未设置默认承办单位")
        return Route(unit, f"分类“{category.name}”的默认承办单位")


def category_for_label(label: str) -> Category | None:
    """The active first-level category the classifier's label names."""
    return Router().category_for_label(label)


def street_office(street: Area | None) -> Unit | None:
    return Router().street_office(street)


def route(category: Category | None, street: Area | None) -> Route:
    return Router().route(category, street)


def unit_for_label(label: str, street: Area | None = None) -> Unit | None:
    """The unit a first-level label would be dispatched to (for `youhu classify`)."""
    return route(category_for_label(label), street).unit
