"""The main journeys, in a real browser: a resident submits and tracks; the dispatcher dispatches a
suggested ticket; the unit accepts and replies; the resident reviews; the supervisor sees it."""

from __future__ import annotations

from collections import defaultdict

import pytest

from youhu.demo.textgen import generated_appeals
from youhu.dispatch import classifier
from youhu.dispatch.classifier import reset_default
from youhu.dispatch.classifier.text import prepare
from youhu.dispatch.classifier.training import Dataset, load_dataset, train
from youhu.taxonomy.models import Category
from youhu.testing.factories import make_category
from youhu.testing.shared import shared_data_present
from youhu.tickets.models import Status, Ticket

from .conftest import Shooter, login

pytestmark = pytest.mark.django_db(transaction=True)

LABELS = ("城乡建设", "劳动和社会保障", "教育文体", "商贸旅游", "环境保护", "卫生计生", "交通运输")
APPEAL = (
    "琶洲街道黄埔村社区新港东路口的路灯坏了",
    "琶洲街道黄埔村社区新港东路与华南快速路交界的路口，三盏市政路灯已经连续一周不亮，"
    "晚上行人和电动车经过非常危险，小区居民多次反映无人处理，请城市建设和市政管理部门尽快维修路灯。",
)
GOOD_REPLY = (
    "您好！关于您反映琶洲街道黄埔村社区新港东路口路灯不亮的问题，经我局现场核查，系供电线路老化导致三盏路灯熄灭。"
    "我局已于次日更换线路和灯具，现已恢复照明。依据《城市道路照明设施管理规定》，我局将加强该路段的日常巡查。"
    "如仍有问题，请致电 020-12345678 联系我局市政科。感谢您的监督！"
)


@pytest.fixture
def small_model(settings, tmp_path):
    """A real classifier trained on a stratified sample of the public appeals (seconds, not minutes); in a bare
    clone without them, on the demo's generated appeals."""
    settings.MODEL_DIR = tmp_path
    if shared_data_present():
        full = load_dataset(include_db=False)
        rows = zip(full.texts, full.labels, strict=True)
    else:
        rows = ((prepare(title, content), label)
                for title, content, label, _ in generated_appeals(60 * len(LABELS), 11, with_replies=False))
    taken: dict[str, int] = defaultdict(int)
    texts, labels = [], []
    for text, label in rows:
        if taken[label] < 60:
            taken[label] += 1
            texts.append(text)
            labels.append(label)
    train(Dataset(texts, labels, {"sample": len(texts)}), tmp_path / classifier.MODEL_FILENAME)
    reset_default()
    yield
    reset_default()


@pytest.fixture
def journey_district(district, settings, small_model):
    # Whatever first-level category the model suggests, the test district's roads department owns it,
    # so the journey does not depend on the sample model's exact top guess.
    for label in LABELS:
        root = make_category(label)
        root.default_unit = district.roads
        root.save()
    assert Category.objects.filter(level=1, default_unit=district.roads).count() == len(LABELS)
    settings.YOUHU = {**settings.YOUHU, "AUTO_DISPATCH_CONFIDENCE": 1.01}  # always ask the dispatcher
    return district


def _actor(browser):
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN",
                                  timezone_id="Asia/Shanghai")
    context.set_default_timeout(15000)
    return context, context.new_page()


def test_appeal_from_portal_to_dashboard(page, browser, live_server, journey_district):
    district = journey_district

    # 1. A resident submits on the portal and gets a number and a tracking code.
    page.goto(f"{live_server.url}/portal/")
    page.shoot("portal-form")
    page.get_by_label("标题").fill(APPEAL[0])
    page.get_by_label("诉求内容").fill(APPEAL[1])
    page.get_by_label("所在街道").select_option(label="琶洲街道")
    page.get_by_label("联系人").fill("陈先生")
    page.get_by_label("联系电话").fill("13800138000")
    page.get_by_role("button", name="提交诉求").click()
    page.wait_for_selector("#tracking-code")
    number = page.locator("#ticket-number").inner_text().strip()
    code = page.locator("#tracking-code").inner_text().strip()
    page.shoot("portal-done")
    ticket = Ticket.objects.get(number=number)
    assert ticket.status == Status.REGISTERED and ticket.channel == "web"

    # ... and tracks it with the code.
    page.goto(f"{live_server.url}/portal/track/")
    page.get_by_label("工单编号").fill(number)
    page.get_by_label("查询码").fill(code)
    page.get_by_role("button", name="查询").click()
    page.wait_for_selector("#timeline")
    assert page.locator("#status").inner_text() != ""
    assert "13800138000" not in page.content()
    page.shoot("portal-track")

    # 2. The dispatcher sees the suggestions at the desk and dispatches with one key.
    dispatcher_ctx, dispatcher = _actor(browser)
    login(dispatcher, live_server, "dispatcher")
    dispatcher.goto(f"{live_server.url}/dispatch/")
    row = dispatcher.locator(f"#t-{number}")
    row.wait_for()
    assert dispatcher.locator(f"#pane-{number} meter").count() == 3, "top-3 suggestions with confidences"
    dispatcher.keyboard.press("a")  # the top suggestion, in the background
    row.wait_for(state="detached")
    assert "已派至" in dispatcher.locator("#desk-status").inner_text()
    Shooter(dispatcher, "journey")("dispatch-queue-after")
    dispatcher_ctx.close()
    ticket.refresh_from_db()
    assert ticket.status == Status.DISPATCHED and ticket.main_unit == district.roads
    assert ticket.reply_due is not None

    # 3. The unit accepts and replies.
    unit_ctx, unit = _actor(browser)
    login(unit, live_server, "roads")
    unit.goto(f"{live_server.url}/tickets/{number}/")
    with unit.expect_navigation():
        _open_action(unit, "accept").get_by_role("button", name="签收").click()
    _open_action(unit, "reply")
    unit.locator("#act-reply").get_by_label("答复内容").fill(GOOD_REPLY)
    with unit.expect_navigation():
        unit.locator("#act-reply").get_by_role("button", name="办结答复").click()
    Shooter(unit, "journey")("unit-replied")
    assert "13800138000" in unit.content(), "the main unit must call back: it sees the phone"
    unit_ctx.close()
    ticket.refresh_from_db()
    assert ticket.status == Status.REPLIED and not ticket.reply_withheld

    # 4. The resident reads the reply and reviews it.
    resident_ctx, resident = _actor(browser)
    resident.goto(f"{live_server.url}/portal/track/")
    resident.get_by_label("工单编号").fill(number)
    resident.get_by_label("查询码").fill(code)
    resident.get_by_role("button", name="查询").click()
    resident.wait_for_selector("#reply")
    assert "恢复照明" in resident.locator("#reply").inner_text()
    resident.get_by_label("已解决").check()
    resident.get_by_label("满意", exact=True).check()
    resident.get_by_role("button", name="提交评价").click()
    resident.wait_for_selector("text=感谢您的评价")
    Shooter(resident, "journey")("portal-reviewed")
    resident_ctx.close()
    ticket.refresh_from_db()
    assert ticket.status == Status.CLOSED and ticket.review_satisfaction == "satisfied"

    # 5. The supervisor sees it on the dashboard and in the ranking.
    boss_ctx, boss = _actor(browser)
    login(boss, live_server, "supervisor")
    boss.goto(f"{live_server.url}/dashboard/")
    boss.wait_for_selector("#dash-status:has-text('更新于')")
    assert boss.locator('[data-kpi="today"]').inner_text() == "1"
    assert boss.locator('[data-rate="satisfaction_rate"]').inner_text() == "100.0%"
    Shooter(boss, "journey")("supervisor-dashboard")
    boss.goto(f"{live_server.url}/supervision/ranking/")
    assert district.roads.name in boss.content()
    Shooter(boss, "journey")("supervisor-ranking")
    boss_ctx.close()


def _open_action(page, action: str):
    """Unfold an action's form on the ticket page (the primary one may already be open)."""
    details = page.locator(f"#act-{action}")
    details.evaluate("d => { d.open = true; }")
    return details
