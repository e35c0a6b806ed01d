"""The dispatcher's desk: returned tickets' suggestions, batch dispatch and its permission, sorting, the pane."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from youhu.dispatch import selectors
from youhu.dispatch.models import LabelledExample
from youhu.dispatch.services import (
    dispatch_batch,
    dispatch_ticket,
    returns_of,
    triage,
    use_classifier,
)
from youhu.testing.factories import at, make_ticket, make_unit
from youhu.tickets import services as tickets
from youhu.tickets.errors import InvalidInput, NotAllowed
from youhu.tickets.models import Channel, Status, Ticket

from .conftest import CUES, LABELS, KeywordClassifier

NOW = at("2026-03-02 09:30")
NOISE = ("楼下噪音", "小区楼下晚上噪音很大，吵得睡不着。")  # the fake model: 环境保护 55 %, then 城乡建设, 商贸旅游
LAMP = ("路灯不亮", "小区门口路灯坏了一周。")  # 城乡建设 95 %: dispatched by itself to the roads department

pytestmark = pytest.mark.django_db


def queued(text=NOISE, *, now=NOW, **fields) -> Ticket:
    ticket = triage(make_ticket(title=text[0], content=text[1], now=now, **fields), now=now)
    assert ticket.status == Status.REGISTERED
    return ticket


def returned(ticket: Ticket, by, reason="不属于本单位职责，应由住建部门处理") -> Ticket:
    tickets.return_ticket(ticket, by=by, reason=reason, now=NOW)
    ticket.refresh_from_db()
    return ticket


def option_units(ticket: Ticket) -> list:
    return [o.unit for o in selectors.queue_item(ticket).options]


class TestReturnedTickets:
    def test_suggestions_leave_out_the_unit_that_returned_it(self, smart):
        ticket = queued()
        assert option_units(ticket)[0] == smart.env
        dispatch_ticket(ticket, by=smart.dispatcher, unit=smart.env)
        returned(ticket, smart.env_handler)
        item = selectors.queue_item(ticket)
        assert smart.env not in [o.unit for o in item.options]
        assert item.best.unit == smart.roads and item.best.label == "城乡建设"
        assert [(r.unit, r.reason) for r in item.returns] == [(smart.env.name, "不属于本单位职责，应由住建部门处理")]
        assert item.refused_units == [smart.env.name]

    def test_a_ticket_dispatched_by_hand_gets_suggestions_after_its_return(self, smart):
        # A hotline ticket the centre registered and dispatched by hand never had a model suggestion.
        ticket = make_ticket(title=NOISE[0], content=NOISE[1], channel=Channel.HOTLINE, now=NOW)
        tickets.register(ticket, by=smart.dispatcher, now=NOW)
        dispatch_ticket(ticket, by=smart.dispatcher, unit=smart.env, now=NOW)
        returned(ticket, smart.env_handler)
        assert selectors.queue_item(ticket).suggestion is None
        assert option_units(ticket)[0] == smart.roads  # classified again, the returning unit left out

    def test_every_unit_that_returned_it_is_left_out(self, smart):
        ticket = queued()
        dispatch_ticket(ticket, by=smart.dispatcher, unit=smart.env)
        returned(ticket, smart.env_handler)
        dispatch_ticket(ticket, by=smart.dispatcher, unit=smart.roads)
        returned(ticket, smart.handler, reason="路面不归我局")
        units = option_units(ticket)
        assert smart.env not in units and smart.roads not in units
        assert [r.reason for r in returns_of([ticket])[ticket.pk]] == ["不属于本单位职责，应由住建部门处理", "路面不归我局"]

    def test_without_a_model_the_stored_suggestion_is_routed_again_without_the_unit(self, smart):
        ticket = queued()
        dispatch_ticket(ticket, by=smart.dispatcher, unit=smart.env)
        returned(ticket, smart.env_handler)
        with use_classifier(None):
            assert option_units(ticket)[0] == smart.roads and smart.env not in option_units(ticket)

    def test_triage_never_sends_a_returned_ticket_back_by_itself(self, smart):
        ticket = triage(make_ticket(title=LAMP[0], content=LAMP[1], now=NOW), now=NOW)
        assert ticket.status == Status.DISPATCHED and ticket.main_unit == smart.roads  # confident: went by itself
        returned(ticket, smart.handler, reason="该路段由街道管理")
        triage(ticket, now=NOW)
        ticket.refresh_from_db()
        assert ticket.status == Status.REGISTERED
        suggestion = ticket.dispatch_suggestions.first()
        assert "退单" in suggestion.hold_reason and "该路段由街道管理" in suggestion.hold_reason
        assert smart.roads.pk not in [row["unit_id"] for row in suggestion.top]

    def test_the_desk_shows_the_reason_and_a_suggestion(self, client, smart):
        ticket = queued()
        dispatch_ticket(ticket, by=smart.dispatcher, unit=smart.env)
        returned(ticket, smart.env_handler)
        client.force_login(smart.dispatcher)
        page = client.get(reverse("dispatch:queue"), {"open": ticket.number}).content.decode()
        assert "不属于本单位职责，应由住建部门处理" in page and "退单 1 次" in page
        assert "没有模型建议" not in page
        assert f"派至{smart.roads}" in page and f"派至{smart.env}" not in page


class CountingClassifier(KeywordClassifier):
    """The fake model, counting the texts it is asked to classify."""

    def __init__(self):
        super().__init__(CUES, LABELS)
        self.texts: list[str] = []

    def predict(self, texts):
        self.texts += texts
        return super().predict(texts)


class TestDeskReadsReturnedTicketsOnce:
    def _returned(self, smart, n: int) -> list[Ticket]:
        batch = [queued() for _ in range(n)]
        for ticket in batch:
            dispatch_ticket(ticket, by=smart.dispatcher, unit=smart.env)
            returned(ticket, smart.env_handler)
        return batch

    def _queries(self, client) -> int:
        with CaptureQueriesContext(connection) as seen:
            assert client.get(reverse("dispatch:queue")).status_code == 200
        return len(seen)

    @pytest.mark.parametrize("model", ["fake", "none"])
    def test_the_desk_runs_as_many_queries_for_six_returned_tickets_as_for_two(self, client, smart, model):
        client.force_login(smart.dispatcher)
        self._returned(smart, 2)  # two alike: the desk reads their duplicates (one query) in both counts
        with use_classifier(None) if model == "none" else use_classifier(CountingClassifier()):
            self._queries(client)  # the first page of a process reads what it then keeps (the knowledge index, …)
            two = self._queries(client)
            self._returned(smart, 4)
            assert self._queries(client) == two  # no model: before, one stored-suggestion query per ticket

    def test_a_returned_ticket_is_classified_again_only_when_it_changed(self, client, smart):
        client.force_login(smart.dispatcher)
        ticket = self._returned(smart, 1)[0]
        model = CountingClassifier()
        with use_classifier(model):
            client.get(reverse("dispatch:queue"))
            client.get(reverse("dispatch:queue"), {"open": ticket.number})
            client.get(reverse("dispatch:pane", args=[ticket.number]))
            assert len(model.texts) == 1
            dispatch_ticket(ticket, by=smart.dispatcher, unit=smart.roads)  # a new version: returned again
            returned(ticket, smart.handler, reason="路面不归我局")
            page = client.get(reverse("dispatch:queue")).content.decode()
            assert len(model.texts) == 2
        assert f"派至{smart.roads}" not in page and f"派至{smart.env}" not in page
        another = CountingClassifier()  # a newly trained model classifies it again
        with use_classifier(another):
            client.get(reverse("dispatch:queue"))
        assert len(another.texts) == 1


class TestBatchDispatch:
    def test_dispatcher_sends_the_selected_tickets_to_one_unit(self, smart):
        batch = [queued() for _ in range(3)]
        result = dispatch_batch(batch, by=smart.dispatcher, unit=smart.roads, now=NOW)
        assert [t.pk for t in result.dispatched] == [t.pk for t in batch] and result.failed == []
        for ticket in batch:
            ticket.refresh_from_db()
            assert ticket.status == Status.DISPATCHED and ticket.main_unit == smart.roads
            assert ticket.events.filter(action="dispatch", actor=smart.dispatcher).count() == 1
        # Each keeps the category its suggestion routes to that unit: 城乡建设, a correction of the model's 环境保护.
        labels = set(LabelledExample.objects.values_list("label", "source"))
        assert labels == {("城乡建设", LabelledExample.Source.CORRECTED)}

    def test_a_unit_handler_dispatches_none(self, smart):
        batch = [queued(), queued()]
        with pytest.raises(NotAllowed):
            dispatch_batch(batch, by=smart.handler, unit=smart.roads, now=NOW)
        assert set(Ticket.objects.values_list("status", flat=True)) == {Status.REGISTERED}
        assert not LabelledExample.objects.exists()

    @pytest.mark.parametrize("case, field", [("none", "numbers"), ("no_unit", "unit"), ("inactive", "unit")])
    def test_bad_input_writes_nothing(self, smart, case, field):
        batch = [] if case == "none" else [queued()]
        unit = None if case == "no_unit" else make_unit("已撤销的单位") if case == "inactive" else smart.roads
        if case == "inactive":
            unit.active = False
            unit.save()
        with pytest.raises(InvalidInput) as raised:
            dispatch_batch(batch, by=smart.dispatcher, unit=unit, now=NOW)
        assert raised.value.field == field
        assert not Ticket.objects.filter(status=Status.DISPATCHED).exists()

    def test_one_dispatched_meanwhile_fails_alone(self, smart):
        first, second = queued(), queued()
        stale = Ticket.objects.get(pk=second.pk)
        dispatch_ticket(second, by=smart.dispatcher, unit=smart.env)  # another dispatcher was quicker
        result = dispatch_batch([first, stale], by=smart.dispatcher, unit=smart.roads, now=NOW)
        assert result.dispatched == [first] and [t.pk for t, _ in result.failed] == [second.pk]
        second.refresh_from_db()
        assert second.main_unit == smart.env

    def test_the_page_batch_and_its_permission(self, client, smart):
        batch = [queued(), queued()]
        client.force_login(smart.handler)
        form = {"numbers": [t.number for t in batch], "unit": smart.roads.pk}
        assert client.post(reverse("dispatch:batch"), form).status_code == 403
        client.force_login(smart.dispatcher)
        response = client.post(reverse("dispatch:batch"), form, HTTP_ACCEPT="application/json")
        assert response.status_code == 200 and response.json()["message"] == f"已将 2 件工单派至 {smart.roads}"
        assert Ticket.objects.filter(status=Status.DISPATCHED, main_unit=smart.roads).count() == 2
        refused = client.post(reverse("dispatch:batch"), {"numbers": [], "unit": smart.roads.pk},
                              HTTP_ACCEPT="application/json")
        assert refused.status_code == 400 and refused.json()["field"] == "numbers"


class TestDeskPage:
    def test_sorts_by_each_column(self, client, smart):
        low = queued()  # 55 %, registered first
        high = queued(("占道经营", "小区门口有商贩占道经营。"), now=at("2026-03-02 10:00"))  # 96 %, no street: queued
        client.force_login(smart.dispatcher)
        for sort, order in [("time", [low, high]), ("-time", [high, low]), ("-confidence", [high, low]),
                            ("confidence", [low, high])]:
            items = client.get(reverse("dispatch:queue"), {"sort": sort}).context["items"]
            assert [i.ticket.pk for i in items] == [t.pk for t in order], sort
        page = client.get(reverse("dispatch:queue"), {"sort": "-confidence"}).content.decode()
        assert 'aria-sort="descending"><a href="?sort=confidence">' in page
        assert client.get(reverse("dispatch:queue"), {"sort": "nonsense"}).status_code == 200

    def test_sorts_by_duplicates_and_returns(self, client, smart):
        lone = queued()
        first = queued(("工地噪音", "琶洲街道某工地每天夜间施工噪音很大，吵得居民睡不着。"))
        twin = queued(("工地噪音", "琶洲街道某工地每天夜里施工噪音很大，吵得居民都睡不着。"))
        client.force_login(smart.dispatcher)
        items = client.get(reverse("dispatch:queue"), {"sort": "-duplicates"}).context["items"]
        assert items[0].ticket == twin and len(items[0].duplicates) == 1
        dispatch_ticket(lone, by=smart.dispatcher, unit=smart.env)
        returned(lone, smart.env_handler)
        items = client.get(reverse("dispatch:queue"), {"sort": "-returns"}).context["items"]
        assert items[0].ticket == lone and {i.ticket for i in items} == {lone, first, twin}

    def test_pane_is_a_fragment_of_a_waiting_ticket(self, client, smart):
        ticket = queued()
        client.force_login(smart.dispatcher)
        pane = client.get(reverse("dispatch:pane", args=[ticket.number])).content.decode()
        assert pane.lstrip().startswith("<section") and f"派至{smart.env}" in pane and "<html" not in pane
        dispatch_ticket(ticket, by=smart.dispatcher, unit=smart.env)
        assert client.get(reverse("dispatch:pane", args=[ticket.number])).status_code == 404
        client.force_login(smart.handler)
        assert client.get(reverse("dispatch:pane", args=[ticket.number])).status_code == 403

    def test_accept_in_the_background_answers_json(self, client, smart):
        ticket = queued()
        client.force_login(smart.dispatcher)
        url = reverse("dispatch:dispatch", args=[ticket.number])
        done = client.post(url, {"option": "0"}, HTTP_ACCEPT="application/json")
        assert done.status_code == 200 and done.json() == {"ok": True, "message": f"工单 {ticket.number} 已派至 {smart.env}（环境保护）"}
        again = client.post(url, {"option": "0"}, HTTP_ACCEPT="application/json")
        assert again.status_code == 409 and again.json()["ok"] is False

    def test_form_posts_come_back_to_the_desk_as_left(self, client, smart):
        ticket = queued()
        client.force_login(smart.dispatcher)
        response = client.post(reverse("dispatch:locate", args=[ticket.number]),
                               {"street": smart.street.pk, "page": "1", "sort": "-confidence"})
        assert response["Location"] == f"{reverse('dispatch:queue')}?page=1&sort=-confidence&open={ticket.number}"
        hostile = client.post(reverse("dispatch:locate", args=[ticket.number]),
                              {"street": smart.street.pk, "sort": "x&evil=1"})
        assert hostile["Location"] == f"{reverse('dispatch:queue')}?open={ticket.number}"
