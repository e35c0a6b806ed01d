"""Open311 input validated to the spec; control characters never reach storage, so the XML feed stays well-formed."""

from xml.etree import ElementTree

import pytest

from youhu.access.keys import create_api_key
from youhu.testing.factories import make_ticket
from youhu.tickets import services
from youhu.tickets.models import Status, Ticket


@pytest.fixture
def api_key(district):
    return create_api_key(district.dispatcher, name="open311 app").secret


def post(client, district, key, **fields):
    data = {"api_key": key, "service_code": district.category.code, "lat": "23.1", "long": "113.36",
            "description": "新港东路路灯不亮", **fields}
    return client.post("/open311/v2/requests.json", data)


@pytest.mark.django_db
@pytest.mark.parametrize("fields, words", [
    ({"lat": "٢٣"}, "lat"),  # Arabic-Indic digits
    ({"lat": "２３.１"}, "lat"),  # full-width digits
    ({"long": "1e2"}, "long"),
    ({"long": "11_3.3"}, "long"),
    ({"lat": "inf"}, "lat"),
    ({"lat": "23.1.1"}, "lat"),
    ({"description": "路" * 4001}, "4000"),
])
def test_post_refuses_what_the_spec_does_not_allow(client, district, api_key, fields, words):
    resp = post(client, district, api_key, **fields)
    assert resp.status_code == 400
    [error] = resp.json()
    assert error["code"] == 400 and words in error["description"]
    assert not Ticket.objects.exists()


@pytest.mark.django_db
def test_post_accepts_ascii_decimals_and_the_longest_description(client, district, api_key):
    resp = post(client, district, api_key, lat="-23.106789", long="+113.3", description="路" * 4000)
    assert resp.status_code == 200, resp.content
    ticket = Ticket.objects.get()
    assert (ticket.lat, ticket.lon, len(ticket.content)) == (-23.106789, 113.3, 4000)


@pytest.mark.django_db
def test_control_characters_are_stripped_and_the_xml_feed_parses(client, district, api_key):
    resp = post(client, district, api_key, description="abc\x01\x0b\x1b\r\n第二行\t缩进\x7f\x85",
                first_name="三\x07", last_name="张")
    assert resp.status_code == 200, resp.content
    ticket = Ticket.objects.get()
    assert ticket.content == "abc\n第二行\t缩进" and ticket.title == "abc" and ticket.appellant_name == "张三"
    feed = client.get("/open311/v2/requests.xml")
    root = ElementTree.fromstring(feed.content)  # raises on an ill-formed document
    assert root.find("request/description").text == "abc\n第二行\t缩进"


@pytest.mark.django_db
def test_every_channel_and_every_staff_text_is_stored_without_control_characters(district):
    ticket = make_ticket(title="路灯\x1b[31m不亮", content="内容\x00\x08\x0c", address="新港东路\x1f",
                         appellant_name="王\x0e五", channel="hotline")
    assert (ticket.title, ticket.content, ticket.address, ticket.appellant_name) == \
        ("路灯[31m不亮", "内容", "新港东路", "王五")
    replied = district.ticket_in(Status.HANDLING)
    services.reply(replied, by=district.handler, text="已修复\x1b\x0b。\r谢谢")
    replied.refresh_from_db()
    assert replied.reply_text == "已修复。\n谢谢"


@pytest.mark.django_db
def test_post_answer_carries_the_tracking_code_that_the_portal_accepts(client, district, api_key):
    resp = post(client, district, api_key)
    [answer] = resp.json()
    number, code = answer["service_request_id"], answer["tracking_code"]
    assert code and answer["tracking_url"].endswith(f"/portal/track/?number={number}")
    xml = ElementTree.fromstring(client.post("/open311/v2/requests.xml", {
        "api_key": api_key, "service_code": district.category.code, "address_string": "新港东路",
        "description": "井盖松动"}).content)
    assert xml.findtext("request/tracking_code")
    resident = client.__class__()
    assert resident.post("/portal/track/", {"number": number, "code": "WRONG1"}).status_code == 400
    tracked = resident.post("/portal/track/", {"number": number, "code": code})
    assert tracked.status_code == 302 and tracked["Location"] == f"/portal/track/{number}/"
    page = resident.get(tracked["Location"]).content.decode()
    assert number in page and "新港东路路灯不亮" in page
    # the code is the appellant's: a GET of the request never shows it
    assert code not in client.get(f"/open311/v2/requests/{number}.json").content.decode()


@pytest.mark.django_db
def test_a_report_filed_through_open311_gets_its_id_back_but_is_not_published(client, district, api_key):
    [answer] = post(client, district, api_key, **{"attribute[appeal_type]": "report"}).json()
    number = answer["service_request_id"]
    assert client.get(f"/open311/v2/tokens/{number}.json").json() == [{"service_request_id": number, "token": number}]
    assert client.get(f"/open311/v2/requests/{number}.json").status_code == 404
