"""The model health page's figures, from tickets triaged and handled through the real services."""

from __future__ import annotations

import pytest
from django.urls import reverse

from youhu.dispatch import health
from youhu.dispatch.services import dispatch_ticket, triage
from youhu.testing.factories import at, make_ticket
from youhu.tickets import services as tickets
from youhu.tickets.models import Status

MON = at("2026-03-02 09:30")  # ISO week 2026-W10
NEXT_MON = at("2026-03-09 09:30")  # 2026-W11
POLLUTION = ("工厂夜间排污", "琶洲某工厂夜间向河涌排污，气味刺鼻。")  # the fake model: 环境保护 0.97
LAMP = ("路灯不亮", "琶洲某路口路灯不亮。")  # 城乡建设 0.95
NOISE = ("楼下噪音", "琶洲某小区楼下晚上噪音很大。")  # 环境保护 0.55: waits for a dispatcher
# Other appeals of the same kinds (the same text twice would be held as a duplicate).
POLLUTION_2 = ("印染厂排污", "黄埔村旁的印染厂白天把染料废水排污进鱼塘，鱼都死了。")
LAMP_2 = ("地铁口路灯", "新港东路地铁站C口外整排路灯不亮已经三天。")
LAMP_3 = ("公园路灯", "海心沙公园步道的路灯全部不亮，晚上散步看不见路。")
NOISE_2 = ("广场舞噪音", "会展中心广场每晚广场舞音响噪音太大，影响休息。")


def _triaged(text: tuple[str, str], now):
    ticket = triage(make_ticket(title=text[0], content=text[1], now=now), now=now)
    ticket.refresh_from_db()
    return ticket


@pytest.fixture
def week_of_work(smart, settings):
    settings.YOUHU = {**settings.YOUHU, "AUTO_DISPATCH_CONFIDENCE": 0.9}
    accepted = _triaged(POLLUTION, MON)
    tickets.accept(accepted, by=smart.env_handler, now=at("2026-03-02 10:00"))
    returned = _triaged(POLLUTION_2, MON)
    tickets.accept(returned, by=smart.env_handler, now=at("2026-03-02 10:00"))
    tickets.return_ticket(returned, by=smart.env_handler, reason="系道路施工，非我局职责", now=at("2026-03-02 11:00"))
    transferred = _triaged(LAMP, MON)
    tickets.transfer(transferred, by=smart.dispatcher, unit=smart.env, reason="实为排污", now=at("2026-03-02 10:00"))
    _triaged(LAMP_2, MON)  # nobody acted yet: open
    queued = _triaged(NOISE, MON)
    assert queued.status == Status.REGISTERED
    dispatch_ticket(queued, by=smart.dispatcher, unit=smart.roads, category=smart.construction, now=MON)
    later = _triaged(LAMP_3, NEXT_MON)
    tickets.accept(later, by=smart.handler, now=at("2026-03-09 10:00"))
    _triaged(NOISE_2, NEXT_MON)
    return smart


def test_precision_by_week_and_category_from_what_happened_afterwards(week_of_work):
    report = health.model_health(at("2026-03-10 12:00"), threshold=0.9, training_share=0.3)
    w10, w11 = report.by_week["2026-W10"], report.by_week["2026-W11"]
    assert (w10.accepted, w10.wrong, w10.open) == (1, 2, 1)
    assert w10.precision == pytest.approx(1 / 3)
    assert (w11.accepted, w11.wrong, w11.open, w11.precision) == (1, 0, 0, 1.0)
    assert list(report.by_week) == ["2026-W10", "2026-W11"]
    env, construction = report.by_category["环境保护"], report.by_category["城乡建设"]
    assert (env.accepted, env.wrong, env.open) == (1, 1, 0)
    assert (construction.accepted, construction.wrong, construction.open) == (1, 1, 1)


def test_confusion_counts_dispatchers_corrections(week_of_work):
    report = health.model_health(at("2026-03-10 12:00"), threshold=0.9, training_share=None)
    assert report.confusion == [("环境保护", "城乡建设", 1)]


def test_drift_is_this_weeks_low_confidence_share(week_of_work):
    report = health.model_health(at("2026-03-10 12:00"), threshold=0.9, training_share=0.3)
    drift = report.drift
    assert (drift.week, drift.triaged, drift.low_confidence, drift.training_share) == ("2026-W11", 2, 1, 0.3)
    assert drift.share == 0.5
    assert health.model_health(at("2026-03-05 12:00"), threshold=0.9, training_share=None).drift.triaged == 5


def test_the_page_is_for_admins(week_of_work, client, monkeypatch):
    monkeypatch.setattr("youhu.clock.now", lambda: at("2026-03-10 12:00"))
    client.force_login(week_of_work.dispatcher)
    assert client.get(reverse("dispatch:model_health")).status_code == 403
    client.force_login(week_of_work.admin)
    page = client.get(reverse("dispatch:model_health"))
    assert page.status_code == 200
    body = page.content.decode()
    assert 'id="precision-by-week"' in body and 'id="confusion"' in body
    assert "<td>2026-W10</td><td>1</td><td>2</td><td>1</td>" in body.replace("\n    ", "")
    assert "本周（2026-W11）已分拣 2 件，低于阈值 1 件（50%）" in body
