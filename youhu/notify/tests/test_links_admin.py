"""Short links, staff links through login, and the admin's outbox and template preview."""

from __future__ import annotations

import pytest
from django.test import Client

from youhu.notify import links
from youhu.notify.models import Message, Template
from youhu.testing.factories import make_ticket
from youhu.tickets.models import Status as TicketStatus

pytestmark = pytest.mark.django_db


def path_of(url: str) -> str:
    return url.removeprefix(links.base_url())


def test_code_round_trip():
    for n in (0, 1, 61, 62, 3843, 14_776_335, 10**12):
        assert links.decode(links.encode(n)) == n
    assert links.decode("a-b") is None
    for number in ("20260302-000001", "20261231-013999", "20991231-999999"):
        code = links.code_for(number)
        assert links.number_for(code) == number
    assert len(links.code_for("20261231-013900")) == 5
    assert links.code_for("not-a-number") is None
    assert links.short_tracking("X-1") == links.absolute("/portal/track/?number=X-1")  # unpacked: the long way


def test_staff_short_link_goes_to_the_ticket_page():
    response = Client().get(links.short_ticket("20260302-000007").removeprefix(links.base_url()))
    assert response.status_code == 302 and response["Location"] == "/tickets/20260302-000007/"


def test_resident_short_link_opens_the_tracking_form_with_the_number(district):
    ticket = make_ticket(appellant_phone="13800138000")
    short = Message.objects.get().context["link"]
    assert len(short) <= len(links.base_url()) + 8
    client = Client()
    redirect = client.get(path_of(short))
    assert redirect.status_code == 302 and redirect["Location"] == f"/portal/track/?number={ticket.number}"
    form = client.get(redirect["Location"])
    assert f'value="{ticket.number}"' in form.content.decode()


def test_malformed_short_link_is_404():
    assert Client().get("/t/a-b").status_code == 404
    assert Client().get("/t/" + "z" * 12).status_code == 404


def test_staff_link_lands_on_the_ticket_after_login(district):
    ticket = district.ticket_in(TicketStatus.DISPATCHED)
    client = Client()
    page = links.ticket_path(ticket.number)
    to_login = client.get(page)
    assert to_login.status_code == 302 and to_login["Location"] == f"/login/?next={page}"
    landed = client.post(to_login["Location"], {"username": "roads", "password": "pass-1234"})
    assert landed.status_code == 302 and landed["Location"] == page
    assert client.get(page).status_code == 200


@pytest.fixture
def admin_client_(district):
    district.admin.is_staff = district.admin.is_superuser = True
    district.admin.save()
    client = Client()
    client.force_login(district.admin)
    return client


def test_outbox_view_masks_phones(admin_client_, district):
    make_ticket(appellant_phone="13800138000")
    page = admin_client_.get("/admin/notify/message/").content.decode()
    assert "138****8000" in page and "13800138000" not in page


def test_template_preview_and_placeholder_check(admin_client_):
    template = Template.objects.get(event="resident.registered", kind="sms")
    page = admin_client_.get(f"/admin/notify/template/{template.pk}/change/").content.decode()
    assert "K7QX2M9P" in page and "一条短信" in page  # the sample rendered, with its length
    refused = admin_client_.post(f"/admin/notify/template/{template.pk}/change/", {
        "event": "resident.registered", "kind": "sms", "subject": "", "body": "{number} {content}",
        "vendor_code": "", "vendor_params": "number,phone", "active": "on"})
    text = refused.content.decode()
    assert refused.status_code == 200 and "{content}" in text and "未知参数" in text
    template.refresh_from_db()
    assert "{content}" not in template.body
