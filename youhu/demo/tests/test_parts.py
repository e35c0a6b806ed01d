import random

import pytest

from youhu.demo.geo import DistrictOutline
from youhu.demo.loader import run_extra_loaders
from youhu.demo.simulate import Clock, PastNow
from youhu.demo.tests import extra_loader_probe
from youhu.demo.texts import labelled_appeals, localise, replied_appeals, undated
from youhu.testing.factories import at


def test_optional_loaders_run_when_their_module_exists_and_are_skipped_otherwise():
    extra_loader_probe.CALLS.clear()
    now = at("2026-06-16 10:30")
    ran = run_extra_loaders(now, ["youhu.demo.tests.extra_loader_probe:load", "youhu.nowhere.demo:load",
                                  "youhu.demo.no_such_module:load"])
    assert ran == ["youhu.demo.tests.extra_loader_probe:load"]
    assert [now] == extra_loader_probe.CALLS


def test_texts_move_to_haizhu_and_its_streets():
    text = "A市A3区桂花坪街道的路灯坏了，L12市的朋友说B2县也有，请拨0731-8888-1234"
    assert localise(text, "琶洲街道") == "广州市海珠区琶洲街道的路灯坏了，广州市的朋友说海珠区也有，请拨020-12345"
    assert localise("A3区桂花坪街道") == "海珠区桂花坪街道"  # no street given: left as it is
    assert undated("感谢您的支持。2019年4月24日") == "感谢您的支持。"


@pytest.mark.needs_shared
def test_source_texts_are_usable():
    labelled, replied = labelled_appeals(), replied_appeals()
    assert len(labelled) > 5000 and len(replied) > 2000
    assert {a.level1 for a in labelled} >= {"城乡建设", "环境保护", "交通运输"}
    assert all(a.title and a.content and a.reply for a in replied[:200])


@pytest.mark.django_db
def test_demo_time_moves_forward_and_never_past_the_load_time():
    rng = random.Random(1)
    start, limit = at("2026-06-12 17:30"), at("2026-06-15 10:00")  # a Friday evening; Monday morning
    clock = Clock(start, limit, rng)
    first = clock.later(0.5, 1)  # office step: lands on the next working morning, not at the weekend
    assert first.weekday() == 0 and first < limit
    for _ in range(20):
        before = clock.t
        assert before < clock.later(1, 500) < limit


@pytest.mark.django_db  # office hours come from the working-day calendar
def test_a_strict_clock_stops_a_walk_at_the_load_time_instead_of_squeezing_the_step_in():
    start, limit = at("2026-06-15 09:30"), at("2026-06-15 11:00")
    lenient, strict = Clock(start, limit, random.Random(1)), Clock(start, limit, random.Random(1), strict=True)
    assert lenient.later(3, 4) < limit  # squeezed in before `now`
    assert strict.later(0.5, 1) < limit  # a step that fits is taken
    before = strict.t
    with pytest.raises(PastNow):
        strict.later(3, 4)
    assert strict.t == before  # the refused step leaves the ticket's time where it was


def test_jittered_points_stay_in_the_district_and_street():
    outline = DistrictOutline.load()
    rng = random.Random(7)
    for _ in range(200):
        lon, lat = outline.near(113.2931, 23.1063, rng)  # a community of 滨江 by the river
        assert outline.contains(lon, lat)
