"""The dispatcher's desk in a real browser, measured: the clicks, keys and page loads it takes to dispatch 20
tickets at the desk, against the per-ticket flow through the ticket page (list → ticket → 派单 → back), which
is still there. Both counts are printed (pytest -s) and written to var/desk-actions.json."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field

import pytest
from django.conf import settings as django_settings

from youhu.dispatch.services import triage, use_classifier
from youhu.dispatch.tests.conftest import CUES, LABELS, KeywordClassifier
from youhu.testing.factories import at, make_category, make_ticket
from youhu.tickets import services as tickets_service
from youhu.tickets.models import Status, Ticket

from .conftest import Shooter, login

pytestmark = pytest.mark.django_db(transaction=True)

BATCH = 20
NOW = at("2026-03-02 09:30")


@dataclass
class Tally:
    """What a person did on the page: clicks, keys and choices in a select, and the pages the browser loaded
    (background requests of the desk's script are counted apart: they are no wait for a whole page)."""

    clicks: int = 0
    keys: int = 0
    choices: int = 0
    loads: int = 0
    background: int = 0
    seen: Counter = field(default_factory=Counter)

    @property
    def actions(self) -> int:
        return self.clicks + self.keys + self.choices

    def as_dict(self) -> dict:
        return {"actions": self.actions, "clicks": self.clicks, "keys": self.keys, "choices": self.choices,
                "page_loads": self.loads, "background_requests": self.background}


def _watch(page, tally: Tally) -> None:
    page.on("load", lambda _page: setattr(tally, "loads", tally.loads + 1))
    page.on("request", lambda req: setattr(tally, "background", tally.background + (req.resource_type == "fetch")))


@pytest.fixture
def waiting(district):
    """2 × 20 registered tickets the (fake) model is unsure of: 环境保护 55 %, which routes to the environment
    bureau; each waits for a dispatcher."""
    district.category.root.default_unit = district.roads
    district.category.root.save()
    make_category("环境保护", unit=district.env)
    make_category("商贸旅游", is_local=True)
    with use_classifier(KeywordClassifier(CUES, LABELS)):
        for i in range(2 * BATCH):
            ticket = make_ticket(title=f"{i + 1}号楼夜间噪音", content=f"小区{i + 1}号楼下每天晚上噪音很大，吵得睡不着。",
                                 now=NOW)
            assert triage(ticket, now=NOW).status == Status.REGISTERED
        yield district


def _per_ticket_flow(page, live_server, tally: Tally, numbers: list[str]) -> None:
    """Before the desk: from the list of tickets to dispatch, open each ticket's page, dispatch it there with
    the suggested unit (preselected from its category), and go back to the list."""
    list_url = f"{live_server.url}/tickets/?queue=to_dispatch"
    page.goto(list_url)
    for number in numbers:
        with page.expect_navigation():
            page.locator("main").get_by_role("link", name=number).first.click()
        tally.clicks += 1
        form = page.locator("#act-dispatch")
        assert form.get_by_label("主办单位").input_value() != "", "the unit is preselected from the category"
        with page.expect_navigation():
            form.get_by_role("button", name="派单").click()
        tally.clicks += 1
        with page.expect_navigation():
            page.goto(list_url)  # the navigation's link back to the list
        tally.clicks += 1


def _desk_keys(page, live_server, tally: Tally, count: int) -> None:
    """At the desk: the first ticket is open beside the list; A takes its top suggestion and the next opens."""
    page.goto(f"{live_server.url}/dispatch/")
    for _ in range(count):
        row = page.locator("#desk-table tbody tr.is-current")
        number = row.get_attribute("data-number")
        page.keyboard.press("a")
        tally.keys += 1
        page.locator(f"#t-{number}").wait_for(state="detached")


def _record(name: str, figures: dict) -> None:
    path = django_settings.VAR_DIR / "desk-actions.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    known = json.loads(path.read_text()) if path.exists() else {}
    known[name] = figures
    path.write_text(json.dumps(known, ensure_ascii=False, indent=2) + "\n")
    print(f"\n[desk] {name}: " + json.dumps(figures, ensure_ascii=False))


def test_desk_dispatches_20_tickets_with_fewer_actions_than_the_ticket_page(page, live_server, waiting):
    district = waiting
    login(page, live_server, "dispatcher")
    order = list(Ticket.objects.filter(status=Status.REGISTERED).order_by("registered_at", "id")
                 .values_list("number", flat=True))
    before, after = Tally(), Tally()

    _watch(page, before)
    _per_ticket_flow(page, live_server, before, order[-BATCH:])
    assert Ticket.objects.filter(status=Status.DISPATCHED, main_unit=district.env).count() == BATCH

    desk = page.context.new_page()  # signed in as the same dispatcher, with a tally of its own
    errors: list[str] = []
    desk.on("pageerror", lambda exc: errors.append(str(exc)))
    _watch(desk, after)
    _desk_keys(desk, live_server, after, BATCH)
    Shooter(desk, "desk")("all-dispatched")
    assert Ticket.objects.filter(status=Status.DISPATCHED, main_unit=district.env).count() == 2 * BATCH
    assert desk.locator("#desk-table tbody tr[data-number]").count() == 0

    figures = {"tickets": BATCH, "before_ticket_page": before.as_dict(), "after_desk_keys": after.as_dict()}
    _record("keys", figures)
    assert after.actions < before.actions and after.loads < before.loads, figures
    assert errors == [] and page.js_errors == []


def test_desk_batch_dispatches_20_tickets_to_one_unit(page, live_server, waiting):
    district = waiting
    login(page, live_server, "dispatcher")
    tally = Tally()
    _watch(page, tally)
    page.goto(f"{live_server.url}/dispatch/?sort=-time")
    page.shoot("desk")
    # The 20 newest: sorted by time, newest first, then the first 20 rows ticked.
    boxes = page.locator("#desk-table tbody input[name=numbers]")
    for i in range(BATCH):
        boxes.nth(i).check()
        tally.clicks += 1
    assert page.locator("#desk-selected").inner_text() == f"已选 {BATCH} 件"
    page.locator("#desk-batch").get_by_label("派至").select_option(label=str(district.roads))
    tally.choices += 1
    with page.expect_navigation():
        page.get_by_role("button", name="批量派单").click()
    tally.clicks += 1
    assert f"已将 {BATCH} 件工单派至 {district.roads}" in page.content()
    assert Ticket.objects.filter(status=Status.DISPATCHED, main_unit=district.roads).count() == BATCH
    newest = Ticket.objects.order_by("-registered_at", "-id")[:BATCH]
    assert all(t.status == Status.DISPATCHED for t in newest)

    tick_each = tally.as_dict()  # before the next phase: the page's listeners go on counting
    select_all = Tally()
    _watch(page, select_all)
    page.goto(f"{live_server.url}/dispatch/")
    page.locator("#desk-all").check()
    select_all.clicks += 1
    page.locator("#desk-batch").get_by_label("派至").select_option(label=str(district.env))
    select_all.choices += 1
    with page.expect_navigation():
        page.get_by_role("button", name="批量派单").click()
    select_all.clicks += 1
    assert not Ticket.objects.filter(status=Status.REGISTERED).exists()
    _record("batch", {"tickets": BATCH, "tick_each": tick_each, "select_all": select_all.as_dict()})
    assert select_all.actions == 3 and select_all.loads == 2


def test_keys_move_open_tick_and_a_returned_ticket_shows_why(page, live_server, waiting):
    district = waiting
    first, second = Ticket.objects.order_by("registered_at", "id")[:2]
    tickets_service.dispatch(second, by=district.dispatcher, unit=district.env, now=NOW)
    tickets_service.return_ticket(second, by=district.env_handler, reason="噪音归街道综合执法管", now=NOW)
    login(page, live_server, "dispatcher")
    page.goto(f"{live_server.url}/dispatch/")
    page.locator(f"#pane-{first.number}").wait_for()
    page.keyboard.press("j")
    assert page.locator("#desk-table tr.is-current").get_attribute("data-number") == second.number
    pane = page.locator(f"#pane-{second.number}")
    pane.wait_for()  # the pane follows the current row
    assert "噪音归街道综合执法管" in pane.inner_text() and "已排除退单单位" in pane.inner_text()
    assert pane.get_by_role("button", name=f"派至{district.env}").count() == 0
    assert pane.get_by_role("button", name=f"派至{district.roads}").count() == 1
    page.keyboard.press("x")
    assert page.locator("#desk-selected").inner_text() == "已选 1 件"
    page.keyboard.press("k")
    page.locator(f"#pane-{first.number}").wait_for()
    page.keyboard.press("t")
    page.wait_for_url(f"**/tickets/{first.number}/")
    assert page.js_errors == []
