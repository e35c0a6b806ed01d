"""The demo's key projects: the office, four district leaders, the project list imported from
projects.xlsx through the same import a user runs, last month's reports (a few missing), some problems
raised as tickets, and one escalation pass. `youhu demo load` calls `load(now)`; idempotent.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path

DEMO_FILE = Path(__file__).with_name("projects.xlsx")
DEMO_PASSWORD = "demo1234"  # the same as the base demo's accounts
# Models are imported inside the functions: `python -m youhu.projects.demo.build` imports this package
# before Django is set up.
USERS = [
    ("xmb1", "重点项目办 孙立华", ("project_office",)),
    ("leader1", "区领导 陈国强", ("project_leader",)),
    ("leader2", "区领导 李文静", ("project_leader",)),
    ("leader3", "区领导 黄志明", ("project_leader",)),
    ("leader4", "区领导 郑晓红", ("project_leader",)),
]
# (project, kind, owning unit, title, description, raised this many days ago)
PROBLEMS = [
    ("HZ2026-002", "land", "区规划和自然资源分局", "地块规划条件调整未批复",
     "总部项目地块容积率调整方案已报送两个月，仍未取得批复，影响施工图审查。", 26),
    ("HZ2026-013", "power", "区供电局", "施工临时用电接入排期过长",
     "变电站施工需 10 千伏临时用电，接入排期至三个月后，请协调提前。", 9),
    ("HZ2026-025", "financing", "区财政局", "保障房专项债资金拨付滞后",
     "第二批专项债资金尚未拨付，总包单位已提出停工风险。", 17),
    ("HZ2026-010", "permit", "区政务服务数据管理局", "施工许可并联审批材料反复退回",
     "施工许可申请三次被退回补正，请明确一次性告知清单。", 4),
]


def _users() -> None:
    from django.contrib.auth.hashers import make_password

    from youhu.directory.models import User

    # No unit: the office and the leaders are not a ticket-handling unit; a unit's inbox would offer them
    # tickets they may not open.
    for username, display, roles in USERS:
        user, _ = User.objects.get_or_create(
            username=username, defaults={"display_name": display, "password": make_password(DEMO_PASSWORD)})
        missing = set(roles) - user.roles
        if missing:
            user.set_roles(user.roles | missing)


def _reports(now: datetime) -> None:
    from ..escalation import previous_month
    from ..models import Investment, ProgressReport, Project
    from ..services import submit_report

    if ProgressReport.objects.exists():
        return  # loaded before
    month = previous_month(now)
    planned = dict(Investment.objects.filter(year=month.year).values_list("project_id", "planned"))
    for i, project in enumerate(Project.objects.order_by("code")):
        if i % 7 == 3:
            continue  # a few lead units forget: the escalation pass finds them
        # between 55 % and 103 % of the year's plan by the last month reported
        done = (planned.get(project.pk, Decimal(0)) * Decimal(55 + 12 * (i % 5)) / 100).quantize(Decimal("1"))
        submit_report(project, by=None, month=month, investment_completed=done, now=now,
                      text=f"{project.get_stage_display()}阶段，本月按计划推进各节点工作，协调解决问题 {i % 3} 项。")


def _problems(now: datetime) -> None:
    from youhu.directory.models import Unit

    from ..models import Problem, Project
    from ..services import ProblemData, raise_problem

    if Problem.objects.exists():
        return
    for code, kind, unit_name, title, content, days_ago in PROBLEMS:
        project, unit = Project.objects.filter(code=code).first(), Unit.objects.filter(name=unit_name).first()
        if project is not None and unit is not None:
            raise_problem(project, ProblemData(kind=kind, title=title, content=content, unit=unit), by=None,
                          now=now - timedelta(days=days_ago))


def load(now: datetime) -> None:
    from youhu import db

    from ..escalation import run_pass
    from ..importer import import_projects

    with db.writing():
        _users()
        result = import_projects(DEMO_FILE, now=now)
        if result.errors:
            raise RuntimeError(f"the demo's own project file has rejected rows: {result.errors[:3]}")
        _reports(now)
        _problems(now)
    run_pass(now)
