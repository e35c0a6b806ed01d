from __future__ import annotations

import csv
from datetime import datetime

import pytest
from django.core.management import call_command

from youhu.dispatch.hotspots import TZ as SHANGHAI
from youhu.dispatch.hotspots import (
    Appeal,
    appeals_from_rows,
    current_hotspots,
    find_hotspots,
    parse_received_at,
    place_names,
)
from youhu.testing.factories import at, make_area, make_ticket

FUMES = [  # one problem in one place, several residents, over two weeks
    ("1", "A5区魅力之城小区临街门面油烟直排扰民", "A5区魅力之城小区一楼临街门面餐馆油烟直排，楼上住户无法开窗。", "2019/7/21 10:01:00", 10, 1),
    ("2", "魅力之城小区临街门面油烟直排扰民", "A5区魅力之城小区临街门面多家餐馆油烟直排，严重影响居民生活。", "2019-07-25 08:30:12", 3, 0),
    ("3", "A5区魅力之城小区餐馆油烟扰民", "A5区魅力之城小区临街门面餐馆油烟直排扰民，多次反映无果。", "2019/8/1 9:05:00", 0, 0),
]
SAME_PROBLEM_OTHER_PLACE = [
    ("4", "A3区一师润芳园小区临街门面油烟直排扰民", "A3区一师润芳园小区临街门面餐馆油烟直排，楼上住户无法开窗。", "2019/7/22 11:00:00", 0, 0),
    ("5", "A3区一师润芳园小区临街门面油烟扰民", "A3区一师润芳园小区临街门面餐馆油烟直排扰民，影响居民生活。", "2019/7/26 11:00:00", 2, 0),
]
UNRELATED = [
    ("6", "A7县东六路路灯不亮", "A7县东六路有一段路灯已经一个月不亮了，夜间行车危险。", "2019/7/23 20:00:00", 0, 0),
    ("7", "A5区魅力之城小区临街门面油烟直排扰民", "A5区魅力之城小区临街门面餐馆油烟直排，楼上住户无法开窗。", "2018/1/3 10:00:00", 0, 0),
]
FIELDS = ["id", "title", "text", "received_at", "likes", "dislikes"]


def rows(items):
    return [dict(zip(FIELDS, map(str, item), strict=True)) for item in items]


@pytest.mark.parametrize(("raw", "expected"), [
    ("2019/2/28 11:25:05", datetime(2019, 2, 28, 11, 25, 5, tzinfo=SHANGHAI)),
    ("2019-09-05 12:29:01", datetime(2019, 9, 5, 12, 29, 1, tzinfo=SHANGHAI)),
    ("2019/9/4 9:02", datetime(2019, 9, 4, 9, 2, tzinfo=SHANGHAI)),
    ("2019年1月9日 14时19分", datetime(2019, 1, 9, 14, 19, tzinfo=SHANGHAI)),
    ("2019-01-09T14:19:17", datetime(2019, 1, 9, 14, 19, 17, tzinfo=SHANGHAI)),
    ("20190109", datetime(2019, 1, 9, tzinfo=SHANGHAI)),
    ("43474.5", datetime(2019, 1, 9, 12, 0, tzinfo=SHANGHAI)),
    ("", None), ("明天", None), ("2019/13/45 10:00:00", None), ("12", None),
])
def test_received_at_in_mixed_formats(raw, expected):
    assert parse_received_at(raw) == expected


def test_place_names_drop_admin_prefixes():
    assert place_names("A5区魅力之城小区临街门面油烟直排扰民") == {"魅力之城小区"}
    assert place_names("请政府管一管") == frozenset()


def test_one_problem_in_one_place_is_one_hotspot():
    appeals = appeals_from_rows(rows(FUMES + SAME_PROBLEM_OTHER_PLACE + UNRELATED))
    hotspots = find_hotspots(appeals)
    groups = [sorted(a.id for a in h.appeals) for h in hotspots]
    assert ["1", "2", "3"] in groups  # the 2018 one is too far away in time
    assert ["4", "5"] in groups       # the same complaint about another 小区 stays apart
    assert len(groups) == 2
    top = hotspots[0]
    assert top.size == 3 and top.votes == 14
    assert top.place == "A5区 魅力之城小区"
    assert top.first_at == datetime(2019, 7, 21, 10, 1, tzinfo=SHANGHAI)
    assert top.last_at == datetime(2019, 8, 1, 9, 5, tzinfo=SHANGHAI)
    assert "魅力之城" in top.title


def test_window_and_growth():
    appeals = appeals_from_rows(rows(FUMES + SAME_PROBLEM_OTHER_PLACE))
    now = datetime(2019, 8, 2, tzinfo=SHANGHAI)
    recent = find_hotspots(appeals, now=now, window_days=8, recent_days=3)
    assert [sorted(a.id for a in h.appeals) for h in recent] == [["2", "3"]]
    assert recent[0].growth == 1  # one in the last 3 days, none in the 3 before
    assert recent[0].heat == pytest.approx(2 * 2 + 1 + 2)  # 2 × size + growth + log2(1 + 3 votes)


def test_streets_keep_groups_apart():
    text = "小区门口垃圾堆积多日无人清理，气味难闻。"
    when = datetime(2026, 3, 2, 10, tzinfo=SHANGHAI)
    appeals = [Appeal(str(i), "垃圾堆积无人清理", text, when, place=street)
               for i, street in enumerate(["琶洲街道", "琶洲街道", "海幢街道"])]
    assert [h.size for h in find_hotspots(appeals)] == [2]


@pytest.mark.django_db
def test_current_hotspots_over_tickets(district):
    other = make_area("海幢街道")
    for day, street in [(2, district.street), (3, district.street), (4, district.street), (4, other)]:
        make_ticket(title="垃圾堆积无人清理", content="小区门口垃圾堆积多日无人清理，气味难闻。",
                    now=at(f"2026-03-0{day} 10:00"), street=street)
    make_ticket(title="垃圾堆积无人清理", content="小区门口垃圾堆积多日无人清理，气味难闻。",
                now=at("2026-01-02 10:00"), street=district.street)
    hotspots = current_hotspots(at("2026-03-05 10:00"), days=30)
    assert [(h.size, h.place) for h in hotspots] == [(3, "琶洲街道")]
    # a new appeal shows at once, although the result is cached
    make_ticket(title="垃圾堆积无人清理", content="小区门口垃圾堆积多日无人清理，气味难闻。",
                now=at("2026-03-05 09:00"), street=district.street)
    assert [h.size for h in current_hotspots(at("2026-03-05 10:00"), days=30)] == [4]


def test_command_prints_top_groups(tmp_path, capsys):
    path = tmp_path / "messages.csv"
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(FIELDS)
        writer.writerows(FUMES + SAME_PROBLEM_OTHER_PLACE + UNRELATED)
    call_command("hotspots", "--input", str(path), "--top", "1")
    out = capsys.readouterr().out
    assert "3 条" in out and "魅力之城小区" in out and "2019-07-21 至 2019-08-01" in out
    assert "2 条" not in out


def test_an_issue_raised_again_after_a_quiet_month_is_one_hotspot():
    again = [(f"1{i}", title, text, when.replace("2019/7", "2019/9").replace("2019-07", "2019-09").replace("2019/8", "2019/10"),
              0, 0) for i, (_, title, text, when, _l, _d) in enumerate(FUMES)]
    hotspots = find_hotspots(appeals_from_rows(rows(FUMES + again)))
    assert [h.size for h in hotspots] == [6]


@pytest.mark.django_db
def test_current_hotspots_compare_each_streets_newest_appeals_only(district, monkeypatch):
    from youhu.dispatch import hotspots as hotspots_module

    other = make_area("海幢街道")
    text = "小区门口垃圾堆积多日无人清理，气味难闻。"
    for day in (1, 2, 3, 4):
        make_ticket(title="垃圾堆积无人清理", content=text, now=at(f"2026-03-0{day} 10:00"), street=district.street)
    for day in (2, 3):
        make_ticket(title="垃圾堆积无人清理", content=text, now=at(f"2026-03-0{day} 11:00"), street=other)
    monkeypatch.setattr(hotspots_module, "STREET_POOL", 3)
    found = sorted((h.place, h.size) for h in current_hotspots(at("2026-03-05 10:00"), days=30))
    assert found == [("海幢街道", 2), ("琶洲街道", 3)]  # the street's newest 3 of its 4; never across streets
