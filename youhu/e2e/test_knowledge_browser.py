"""The knowledge base at the dispatcher's desk in a real browser: the pane offers the closest entries and
answering from one closes the ticket without leaving the desk, recording the entry."""

from __future__ import annotations

import pytest

from youhu.knowledge import demo
from youhu.knowledge.models import Entry
from youhu.tickets.models import CloseReason, Status

from .conftest import VIEWPORTS, login

pytestmark = pytest.mark.django_db(transaction=True)


def test_answer_from_an_entry_at_the_desk(page, live_server, district, settings, tmp_path):
    settings.SHARED_DIR = str(tmp_path)  # the written demo entries only
    demo.load()
    ticket = district.ticket_in(Status.REGISTERED)  # "小区门口路灯不亮"
    entry = Entry.objects.get(question="路灯不亮晚上走路不安全")
    login(page, live_server, district.dispatcher.username)
    page.goto(f"{live_server.url}/dispatch/?open={ticket.number}")
    pane = page.locator(f"#pane-{ticket.number}")
    suggestion = pane.locator(f"[data-knowledge] li[data-entry='{entry.pk}']")
    assert suggestion.is_visible()
    page.shoot("knowledge-pane")
    suggestion.get_by_text("按此答复").click()
    assert suggestion.get_by_label("答复内容（可修改）").input_value() == entry.answer
    page.once("dialog", lambda dialog: dialog.accept())
    suggestion.get_by_role("button", name="直接答复并办结").click()
    page.locator(f"#t-{ticket.number}").wait_for(state="detached")
    ticket.refresh_from_db()
    assert ticket.status == Status.CLOSED and ticket.close_reason == CloseReason.ANSWERED_DIRECTLY
    assert ticket.events.get(action="answer_directly").payload["knowledge_entry"] == entry.pk
    assert not page.js_errors


def test_axe_finds_no_problem_with_the_entries_shown(page, live_server, district, settings, tmp_path):
    axe = pytest.importorskip("axe_playwright_python.sync_playwright").Axe()
    settings.SHARED_DIR = str(tmp_path)
    demo.load()
    ticket = district.ticket_in(Status.REGISTERED)
    login(page, live_server, district.dispatcher.username)
    found = []
    for path in (f"/dispatch/?open={ticket.number}", f"/tickets/{ticket.number}/"):
        for size in VIEWPORTS.values():
            page.set_viewport_size(size)
            page.goto(f"{live_server.url}{path}")
            page.locator("[data-knowledge] details").first.click()  # the prefilled answer, open
            found += [f"{path} {size['width']}px {v['id']}: {v['help']}" for v in axe.run(page).response["violations"]]
    assert not found, "\n".join(found)
