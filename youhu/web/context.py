"""Navigation for the staff pages, by role."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse

from .inbox import unread_count

# (label, url name, roles that see it; empty = every signed-in user)
NAV_ITEMS: list[tuple[str, str, tuple[str, ...]]] = [
    ("工作台", "web:home", ()),
    ("工单查询", "web:ticket_list", ()),
    ("派单队列", "dispatch:queue", ("dispatcher", "admin")),
    ("督查督办", "supervision:home", ("supervisor", "admin", "unit_head")),
    ("企业服务", "enterprise:home", ("service_officer", "supervisor", "admin")),
    ("指挥大屏", "dashboard:home", ("supervisor", "admin", "dispatcher")),
    ("重点项目", "projects:board", ("project_office", "project_leader", "supervisor", "admin", "unit_head",
                                  "handler", "service_officer")),
    ("评价指数", "indicators:ranking", ("supervisor", "admin")),
    ("指标填报", "indicators:fill", ("unit_head",)),
    ("批量导入", "intake:import", ("dispatcher", "admin")),
    ("模型健康", "dispatch:model_health", ("admin",)),
    ("消息", "web:inbox", ()),
]


def navigation(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    items = []
    for label, name, roles in NAV_ITEMS:
        if roles and not user.has_role(*roles):
            continue
        try:
            url = reverse(name)
        except NoReverseMatch:
            continue  # that app's pages are not built yet
        active = request.path == url if url == "/" else request.path.startswith(url)
        items.append({"label": label, "url": url, "active": active,
                      "badge": unread_count(user) if name == "web:inbox" else 0})
    return {"nav_items": items}
