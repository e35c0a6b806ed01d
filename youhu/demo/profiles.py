"""How the demo district's units perform, and the two episodes its recent weeks tell: a hotspot and a surge.

A working district is mostly on time: most units sign for, reply and satisfy almost always, a few lag
behind for reasons a supervisor would recognise (too few staff for the volume, cases that need other
bodies). The simulation draws every late step and every verdict from the profile of the ticket's unit,
so the figures on the dashboard and in the ranking come from these numbers, not from chance.
"""

from __future__ import annotations

from dataclasses import dataclass

from . import district as d


@dataclass(frozen=True)
class Performance:
    """Shares of a unit's tickets, each drawn per ticket from the seeded generator."""

    late_accept: float  # signed for after the accept deadline (签收超时)
    late_reply: float  # replied after the reply deadline (超期办结)
    dissatisfied: float  # the appellant's first verdict is 不满意
    reopen_when_dissatisfied: float = 0.6  # the centre sends it back (重办) rather than closing it


DEFAULT_PERFORMANCE = Performance(late_accept=0.01, late_reply=0.03, dissatisfied=0.03)

# The units clearly behind the rest (unit code -> profile); the ranking shows them at the bottom.
LAGGING_UNITS: dict[str, Performance] = {
    # wage arrears and social-insurance cases pile up on a small team
    d.department_code("rsj"): Performance(late_accept=0.15, late_reply=0.4, dissatisfied=0.45,
                                          reopen_when_dissatisfied=0.3),
    # road works and parking: many cases need the police or the city-management bureau first
    d.department_code("jtj"): Performance(late_accept=0.2, late_reply=0.4, dissatisfied=0.45,
                                          reopen_when_dissatisfied=0.3),
    # pollution complaints need measurements and site visits that take longer than the deadline
    d.department_code("sthj"): Performance(late_accept=0.15, late_reply=0.45, dissatisfied=0.45,
                                           reopen_when_dissatisfied=0.3),
}


def performance_of(unit_code: str | None) -> Performance:
    return LAGGING_UNITS.get(unit_code or "", DEFAULT_PERFORMANCE)


@dataclass(frozen=True)
class Episode:
    """Many appeals about one problem at one place: where, under which category, and when."""

    street_slug: str
    community: str  # the community the appellants live in (a name in district.STREETS)
    category_path: str
    within_days: float  # the appeals come in over the last `within_days` days (0: today only)


# Night-time construction noise next to one estate, growing over three weeks: the hotspot.
HOTSPOT = Episode("jiangnanzhong", "紫龙社区", "环境保护/环境污染/噪音污染", within_days=21)
# A burst water main: a street's phones ring all morning — today's surge.
SURGE = Episode("ruibao", "泰沙社区", "城乡建设/城市建设和市政管理/自来水供应", within_days=0)
