"""Writes youhu/projects/demo/projects.xlsx, the demo's project list as the office keeps it.

    .venv/bin/python -m youhu.projects.demo.build [--anchor YYYY-MM-DD]

Dates are laid out around the anchor (default: today) so that, loaded soon after, most projects are on
track, some are yellow and a few red. Every project, company and person is fictitious.
"""

from __future__ import annotations

import argparse
import random
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

OUTPUT = Path(__file__).with_name("projects.xlsx")
SEED = 16
LEADERS = ["leader1", "leader2", "leader3", "leader4"]


@dataclass(frozen=True)
class Spec:
    name: str
    kind: str  # label
    street: str  # short street name
    lead: str  # lead unit name
    investment: int  # 万元
    company: int | None = None  # index in enterprise.demo.COMPANIES of the investing company
    red: bool = False  # the current node is past its deadline
    yellow: bool = False  # the current node is due within a few days


PZ, DEV, BUILD, PLAN = "琶洲试验区管委会", "区发展和改革局", "区住房和城乡建设局", "区规划和自然资源分局"
SPECS = [
    Spec("云汇星图华南总部大厦", "产业", "琶洲", PZ, 260000, company=0),
    Spec("智链未来琶洲总部项目", "产业", "琶洲", PZ, 420000, company=1, red=True),
    Spec("数港云算智算中心", "产业", "琶洲", PZ, 180000, company=2, yellow=True),
    Spec("南岸灵犀人工智能研发中心", "产业", "琶洲", PZ, 95000, company=4),
    Spec("琶洲游戏互娱产业总部", "产业", "琶洲", PZ, 310000, company=12),
    Spec("星河智造研发与中试基地", "产业", "官洲", DEV, 76000, company=6),
    Spec("会展数创产业园二期", "产业", "琶洲", PZ, 58000, company=3),
    Spec("琶洲示范电商直播基地", "产业", "琶洲", "区商务局", 42000, company=5),
    Spec("生物岛生命健康创新中心", "产业", "官洲", "区科技工业和信息化局", 150000),
    Spec("阅江金融科技服务中心", "产业", "琶洲", "区商务局", 68000, company=7, red=True),
    Spec("琶洲西区地下综合管廊二期", "基础设施", "琶洲", BUILD, 120000, yellow=True),
    Spec("新港东路市政道路品质提升工程", "基础设施", "琶洲", "区交通运输局", 36000),
    Spec("琶洲南区220千伏输变电工程", "基础设施", "琶洲", "区供电局", 54000, red=True),
    Spec("阅江中路滨江慢行系统", "基础设施", "琶洲", "区城市管理和综合执法局", 18000),
    Spec("黄埔村涌水系综合整治", "基础设施", "琶洲", "区水务局", 26000),
    Spec("石基路拓宽改造工程", "基础设施", "琶洲", "区交通运输局", 22000),
    Spec("华洲路快速化改造", "基础设施", "华洲", "区交通运输局", 88000, yellow=True),
    Spec("官洲片区雨污分流工程", "基础设施", "官洲", "区水务局", 31000),
    Spec("江海大道智慧灯杆示范段", "基础设施", "江海", "区科技工业和信息化局", 6500),
    Spec("琶洲实验学校扩建工程", "民生", "琶洲", "区教育局", 45000),
    Spec("区妇幼保健院新院区", "民生", "南洲", "区卫生健康局", 98000, yellow=True),
    Spec("琶洲街社区卫生服务中心", "民生", "琶洲", "区卫生健康局", 8600),
    Spec("南洲街综合养老服务中心", "民生", "南洲", "区民政局", 12000),
    Spec("江海街全民健身中心", "民生", "江海", "区文化广电旅游体育局", 15000),
    Spec("赤岗保障性租赁住房项目", "民生", "赤岗", BUILD, 64000, red=True),
    Spec("海珠湿地科普馆提升", "民生", "华洲", "区文化广电旅游体育局", 9800),
    Spec("凤阳街幼儿园新建工程", "民生", "凤阳", "区教育局", 7200),
    Spec("琶洲村旧村改造", "城市更新", "琶洲", BUILD, 520000),
    Spec("黄埔村历史文化街区微改造", "城市更新", "琶洲", PLAN, 38000),
    Spec("石基村旧村改造", "城市更新", "琶洲", BUILD, 360000, yellow=True),
    Spec("沥滘村城市更新项目", "城市更新", "南洲", BUILD, 680000),
    Spec("康乐村城市更新项目", "城市更新", "新港", BUILD, 450000),
    Spec("大塘村旧村改造", "城市更新", "江海", PLAN, 280000),
    Spec("南石头老旧小区微改造", "城市更新", "南石头", BUILD, 14000),
    Spec("瑞宝片区老旧小区改造", "城市更新", "瑞宝", BUILD, 19000),
    Spec("小洲村传统村落保护利用", "城市更新", "华洲", PLAN, 26000),
]

# (node, owner: "lead" or a unit name, working months it takes)
STEPS = [
    ("立项批复", DEV, 2), ("用地规划许可", PLAN, 2), ("土地出让", PLAN, 3), ("施工许可", BUILD, 2),
    ("主体开工", "lead", 3), ("主体结构封顶", "lead", 6), ("竣工验收", BUILD, 4), ("投产达产", "lead", 3),
]
STAGES = ["谋划", "签约", "拿地", "开工", "建设", "竣工", "投产/达产"]
# the stage a project is in once this many steps are done
STAGE_AFTER = {0: "谋划", 1: "签约", 2: "签约", 3: "拿地", 4: "开工", 5: "建设", 6: "建设", 7: "竣工", 8: "投产/达产"}
ROADS = ["大道", "路", "大街", "中路"]  # a plausible address in the project's street
CO_UNITS = [PLAN, BUILD, "区供电局", "区水务局", "区交通运输局", "区生态环境分局"]


def _months(day: date, months: int) -> date:
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, 28))


def build_rows(anchor: date) -> tuple[list[list], list[list]]:
    from youhu.dispatch.geo import default_centres  # the gazetteer's street office points, no database
    from youhu.enterprise.demo import demo_uscc

    rng = random.Random(SEED)
    centres = default_centres()
    projects, nodes = [], []
    for i, spec in enumerate(SPECS, start=1):
        code = f"HZ2026-{i:03d}"
        street_name = f"{spec.street}街道"
        street_lon, street_lat = centres[street_name]
        done = rng.randint(1, 6)  # steps finished before the anchor
        # lay the steps out so that step `done` (the current one) straddles the anchor
        ends, cursor = [], None
        months_back = sum(m for _, _, m in STEPS[:done]) + rng.randint(0, 1)
        cursor = _months(anchor, -months_back)
        for _step, _owner, months in STEPS:
            start = cursor
            cursor = _months(cursor, months)
            ends.append((start, cursor))
        node_rows = []
        for k, (step, owner, _months_taken) in enumerate(STEPS):
            start, end = ends[k]
            actual_start = actual_end = None
            if k < done:
                actual_start = start + timedelta(days=rng.randint(0, 6))
                actual_end = min(end + timedelta(days=rng.randint(-10, 8)), anchor - timedelta(days=1))
            elif k == done:
                actual_start = start + timedelta(days=rng.randint(0, 10)) if start < anchor else None
                if spec.red:  # the current step ran past its deadline
                    end = anchor - timedelta(days=rng.randint(6, 25))
                    start = min(start, end - timedelta(days=30))
                elif spec.yellow:
                    end = anchor + timedelta(days=rng.randint(1, 4))
                elif end <= anchor + timedelta(days=14):
                    end = anchor + timedelta(days=rng.randint(14, 40))
            unit = spec.lead if owner == "lead" else owner
            node_rows.append([code, step, k + 1, start, end, actual_start, actual_end, unit])
        nodes.extend(node_rows)
        co = sorted({u for u in rng.sample(CO_UNITS, 2) if u != spec.lead})
        year_planned = round(spec.investment * rng.uniform(0.12, 0.3))
        lon = round(street_lon + rng.uniform(-0.006, 0.006), 5)
        lat = round(street_lat + rng.uniform(-0.004, 0.004), 5)
        projects.append([
            code, spec.name, spec.kind, STAGE_AFTER[done], spec.investment, anchor.year, year_planned,
            round(year_planned * rng.uniform(0.3, 0.95) * anchor.month / 12), spec.lead, "、".join(co),
            LEADERS[i % len(LEADERS)], demo_uscc(spec.company + 1) if spec.company is not None else "",
            "", street_name, f"海珠区{spec.street}{ROADS[i % len(ROADS)]}{rng.randint(1, 300)}号", lon, lat,
        ])
    return projects, nodes


def write(path: Path = OUTPUT, anchor: date | None = None) -> Path:
    from openpyxl import Workbook

    from ..importer import NODE_HEADERS, NODE_SHEET, PROJECT_HEADERS, PROJECT_SHEET

    projects, nodes = build_rows(anchor or date.today())
    book = Workbook()
    sheet = book.active
    sheet.title = PROJECT_SHEET
    sheet.append([names[0] for names in PROJECT_HEADERS.values()])
    for row in projects:
        sheet.append(row)
    sheet = book.create_sheet(NODE_SHEET)
    sheet.append([names[0] for names in NODE_HEADERS.values()])
    for row in nodes:
        sheet.append(row)
    for ws in book.worksheets:
        for column in "ABCDEFGHIJKLMNOPQ":
            ws.column_dimensions[column].width = 16
        for row in ws.iter_rows(min_row=2):
            for cell in row:
                if isinstance(cell.value, date):
                    cell.number_format = "yyyy-mm-dd"
    book.save(path)
    return path


def main() -> None:
    import os

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "youhu.settings")
    django.setup()  # the importer's column names live beside the models
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--anchor", type=date.fromisoformat, default=None)
    parser.add_argument("--output", type=Path, default=OUTPUT)
    args = parser.parse_args()
    print(write(args.output, args.anchor))


if __name__ == "__main__":
    main()
