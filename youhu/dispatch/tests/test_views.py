from __future__ import annotations

import pytest
from django.template import Context, Template
from django.urls import reverse

from youhu.dispatch.models import LabelledExample
from youhu.dispatch.services import triage
from youhu.testing.factories import at, make_ticket
from youhu.tickets.models import CloseReason, Status

NOW = at("2026-03-02 09:30")


def queued(title="楼下噪音", content="小区楼下晚上噪音很大，吵得睡不着。", **fields):
    ticket = triage(make_ticket(title=title, content=content, now=NOW, **fields), now=NOW)
    assert ticket.status == Status.REGISTERED
    return ticket


@pytest.mark.django_db
class TestQueuePage:
    def test_only_dispatchers(self, client, smart):
        assert client.get(reverse("dispatch:queue")).status_code == 302  # to the login page
        client.force_login(smart.handler)
        assert client.get(reverse("dispatch:queue")).status_code == 403
        client.force_login(smart.dispatcher)
        assert client.get(reverse("dispatch:queue")).status_code == 200

    def test_shows_suggestions_reasons_route_and_flag(self, client, smart):
        ticket = queued()
        client.force_login(smart.dispatcher)
        page = client.get(reverse("dispatch:queue")).content.decode()
        assert ticket.number in page
        assert "环境保护" in page and "55%" in page and "城乡建设" in page and "商贸旅游" in page
        assert "噪音" in page  # why: the terms behind the suggestion
        assert f"派至{smart.env}" in page
        assert "地点待确认" in page and "低于自动派单阈值" in page

    def test_empty_queue(self, client, smart):
        client.force_login(smart.dispatcher)
        assert "没有待派单的工单" in client.get(reverse("dispatch:queue")).content.decode()

    def test_one_click_dispatch_to_the_suggested_unit(self, client, smart):
        ticket = queued()
        client.force_login(smart.dispatcher)
        response = client.post(reverse("dispatch:dispatch", args=[ticket.number]), {"option": "0"})
        assert response.status_code == 302
        ticket.refresh_from_db()
        assert ticket.status == Status.DISPATCHED and ticket.main_unit == smart.env
        assert LabelledExample.objects.get(ticket=ticket).source == LabelledExample.Source.CONFIRMED

    def test_an_option_int_cannot_read_is_no_500(self, client, smart):
        ticket = queued()
        client.force_login(smart.dispatcher)
        response = client.post(reverse("dispatch:dispatch", args=[ticket.number]), {"option": "²"})
        assert response.status_code < 500
        ticket.refresh_from_db()
        assert ticket.status == Status.REGISTERED

    def test_choose_another_category_and_unit(self, client, smart):
        ticket = queued()
        client.force_login(smart.dispatcher)
        client.post(reverse("dispatch:dispatch", args=[ticket.number]),
                    {"category": smart.construction.pk, "unit": smart.roads.pk})
        ticket.refresh_from_db()
        assert ticket.main_unit == smart.roads and ticket.category == smart.construction
        example = LabelledExample.objects.get(ticket=ticket)
        assert (example.label, example.source) == ("城乡建设", LabelledExample.Source.CORRECTED)

    def test_bad_choice_is_reported_and_nothing_changes(self, client, smart):
        ticket = queued()
        client.force_login(smart.dispatcher)
        response = client.post(reverse("dispatch:dispatch", args=[ticket.number]),
                                {"category": "999999", "unit": smart.roads.pk}, follow=True)
        assert "所选分类不存在" in response.content.decode()
        ticket.refresh_from_db()
        assert ticket.status == Status.REGISTERED and not LabelledExample.objects.exists()

    def test_merge_button(self, client, smart):
        first = queued(content="琶洲街道某工地每天夜间施工噪音很大，吵得居民睡不着。")
        second = queued(content="琶洲街道某工地每天夜里施工噪音很大，吵得居民都睡不着。")
        client.force_login(smart.dispatcher)
        page = client.get(reverse("dispatch:queue"), {"open": second.number}).content.decode()  # its pane
        assert f"合并到 {first.number}" in page
        client.post(reverse("dispatch:merge", args=[second.number]), {"into": first.number})
        second.refresh_from_db()
        assert second.close_reason == CloseReason.MERGED and second.duplicate_of == first

    def test_dispatcher_sets_the_street(self, client, smart):
        ticket = queued(title="占道经营", content="小区门口有商贩占道经营。")
        client.force_login(smart.dispatcher)
        client.post(reverse("dispatch:locate", args=[ticket.number]), {"street": smart.street.pk})
        ticket.refresh_from_db()
        assert ticket.street == smart.street and not ticket.location_unresolved
        # the local category now routes to the street office
        page = client.get(reverse("dispatch:queue")).content.decode()
        assert f"派至{smart.street_office}" in page


@pytest.mark.django_db
class TestTicketPanel:
    def render(self, user, ticket) -> str:
        return Template("{% include 'dispatch/_ticket_panel.html' %}").render(Context({"user": user, "ticket": ticket}))

    def test_panel_for_the_centre(self, smart):
        ticket = queued()
        html = self.render(smart.dispatcher, ticket)
        assert "智能派单" in html and "环境保护 55%" in html and "到派单队列处理" in html

    def test_no_panel_for_units(self, smart):
        ticket = queued()
        assert "智能派单" not in self.render(smart.handler, ticket)

    def test_ticket_page_includes_it(self, client, smart):
        ticket = queued()
        client.force_login(smart.dispatcher)
        page = client.get(reverse("web:ticket_detail", args=[ticket.number])).content.decode()
        assert "智能派单" in page


@pytest.mark.django_db
def test_dispatch_from_the_ticket_page_is_remembered(client, smart):
    ticket = queued()
    client.force_login(smart.dispatcher)
    response = client.post(reverse("web:ticket_act", args=[ticket.number, "dispatch"]),
                           {"version": ticket.version, "unit": smart.roads.pk, "category": smart.construction.pk})
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == Status.DISPATCHED and ticket.main_unit == smart.roads
    example = LabelledExample.objects.get(ticket=ticket)
    assert (example.label, example.suggested_label) == ("城乡建设", "环境保护")


@pytest.mark.django_db
def test_retriage_after_a_model_arrives(client, smart):
    from youhu.dispatch.services import use_classifier

    with use_classifier(None):
        ticket = queued(title="工厂排污", content="琶洲某工厂夜间排污。")
    client.force_login(smart.dispatcher)
    assert "重新智能分析" in client.get(reverse("dispatch:queue")).content.decode()
    client.post(reverse("dispatch:retriage", args=[ticket.number]))  # the smart fixture's model is back
    ticket.refresh_from_db()
    assert ticket.status == Status.DISPATCHED and ticket.main_unit == smart.env


@pytest.mark.django_db
def test_dispatch_through_the_api_is_remembered(client, smart):
    from youhu.access.keys import create_api_key

    ticket = queued()
    key = create_api_key(smart.dispatcher, name="test").secret
    response = client.post(f"/api/tickets/{ticket.number}/actions/dispatch",
                           {"unit": smart.roads.pk, "category": smart.construction.code},
                           content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert response.status_code == 200, response.content
    example = LabelledExample.objects.get(ticket=ticket)
    assert (example.label, example.source) == ("城乡建设", LabelledExample.Source.CORRECTED)
