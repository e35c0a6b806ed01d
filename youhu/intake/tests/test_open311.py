"""Open311 GeoReport v2: JSON checked against the published schemas, XML parsed, the `georeport` client live."""

import json
from pathlib import Path
from xml.etree import ElementTree

import jsonschema
import pytest
import requests
from django.conf import settings
from django.utils import timezone
from georeport import GeoReport
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

from youhu.access.keys import create_api_key
from youhu.testing.factories import make_category
from youhu.tickets.models import Channel, Status, Ticket

SCHEMA_DIR = Path(settings.SHARED_DIR) / "open311-schemas"


def _schemas() -> tuple[dict, Registry]:
    docs = {p.name: json.loads(p.read_text()) for p in SCHEMA_DIR.glob("*.json") if p.name != "swagger.json"}
    registry = Registry().with_resources(
        (name, Resource.from_contents(doc, default_specification=DRAFT4)) for name, doc in docs.items())
    return docs, registry


DOCS, REGISTRY = _schemas()


def valid(data, schema: str) -> None:
    jsonschema.Draft4Validator(DOCS[schema], registry=REGISTRY).validate(data)


@pytest.fixture
def api_key(district):
    return create_api_key(district.dispatcher, name="open311 app").secret


def post_request(client, key, **fields):
    data = {"api_key": key, "service_code": fields.pop("service_code", None), "lat": "23.1", "long": "113.36",
            "description": "新港东路 88 号路灯不亮，晚上很黑", "first_name": "三", "last_name": "张",
            "phone": "13800138000", **fields}
    return client.post("/open311/v2/requests.json", {k: v for k, v in data.items() if v is not None})


@pytest.mark.needs_shared("open311-schemas")
@pytest.mark.django_db
def test_services_and_definition_match_schemas(client, district):
    make_category("城乡建设/市政设施/井盖")
    hidden = make_category("城乡建设/内部/测试")
    hidden.public = False
    hidden.save()
    services = client.get("/open311/v2/services.json").json()
    valid(services, "services.json")
    ours = {s["service_code"]: s for s in services}
    assert district.category.code in ours and hidden.code not in ours
    assert ours[district.category.code]["group"] == "城乡建设"
    assert district.category.root.code not in ours  # only categories a resident picks (leaves)
    definition = client.get(f"/open311/v2/services/{district.category.code}.json").json()
    valid(definition, "service-definition.json")
    assert {a["code"] for a in definition["attributes"]} == {"appeal_type", "urgency"}
    assert client.get("/open311/v2/services/C99999.json").status_code == 404
    xml = ElementTree.fromstring(client.get("/open311/v2/services.xml").content)
    assert xml.tag == "services" and len(xml.findall("service")) == len(services)
    discovery = client.get("/open311/v2/discovery.json").json()
    assert discovery["endpoints"][0]["url"].endswith("/open311/v2/")


@pytest.mark.needs_shared("open311-schemas")
@pytest.mark.django_db
def test_post_creates_open311_ticket_and_reads_back(client, district, api_key):
    resp = post_request(client, api_key, service_code=district.category.code, **{"attribute[urgency]": "urgent"})
    assert resp.status_code == 200, resp.content
    number = resp.json()[0]["service_request_id"]
    ticket = Ticket.objects.get(number=number)
    assert ticket.channel == Channel.OPEN311 and ticket.urgency == "urgent" and ticket.category == district.category
    assert ticket.appellant_name == "张三" and ticket.lat == 23.1
    one = client.get(f"/open311/v2/requests/{number}.json").json()
    valid(one, "requests.json")
    assert one[0]["status"] == "open" and one[0]["requested_datetime"].endswith("+08:00")
    assert "13800138000" not in json.dumps(one, ensure_ascii=False) and "张三" not in json.dumps(one, ensure_ascii=False)
    token = client.get(f"/open311/v2/tokens/{number}.json").json()
    assert token == [{"service_request_id": number, "token": number}]


@pytest.mark.needs_shared("open311-schemas")
@pytest.mark.django_db
def test_status_deadline_agency_and_filters(client, district):
    open_ticket = district.ticket_in(Status.HANDLING)
    closed = district.ticket_in(Status.CLOSED)
    window = "start_date=2026-03-01T00:00:00%2B08:00&end_date=2026-03-03T00:00:00%2B08:00"
    rows = client.get(f"/open311/v2/requests.json?{window}").json()
    valid(rows, "requests.json")
    by_id = {r["service_request_id"]: r for r in rows}
    assert by_id[open_ticket.number]["status"] == "open" and by_id[closed.number]["status"] == "closed"
    assert by_id[open_ticket.number]["agency_responsible"] == "区住房建设和交通局"
    assert by_id[open_ticket.number]["expected_datetime"] == timezone.localtime(open_ticket.reply_due).isoformat()
    assert by_id[closed.number]["status_notes"].startswith("经核查")
    only_open = client.get(f"/open311/v2/requests.json?{window}&status=open").json()
    assert [r["service_request_id"] for r in only_open] == [open_ticket.number]
    assert client.get(f"/open311/v2/requests.json?{window}&service_code=C99999").json() == []
    listed = client.get(f"/open311/v2/requests.json?service_request_id={closed.number},{open_ticket.number}").json()
    assert len(listed) == 2
    assert client.get("/open311/v2/requests.json").json() == []  # default: the last 90 days (tickets are from March)
    xml = ElementTree.fromstring(client.get(f"/open311/v2/requests.xml?{window}").content)
    assert {e.findtext("service_request_id") for e in xml.findall("request")} == set(by_id)


@pytest.mark.django_db
@pytest.mark.parametrize("fields, status, words", [
    ({"service_code": "C99999"}, 400, "service_code"),
    ({"service_code": ""}, 400, "service_code"),
    ({"lat": "north"}, 400, "lat"),
    ({"lat": "95"}, 400, "lat"),
    ({"lat": "", "long": ""}, 400, "address_string"),
    ({"description": ""}, 400, "description"),
    ({"phone": "call me"}, 400, "appellant_phone"),
    ({"attribute[urgency]": "very"}, 400, "urgency"),
    ({"api_key": "wrong"}, 403, "api_key"),
    ({"api_key": None}, 403, "api_key"),
])
def test_post_errors_in_spec_form(client, district, api_key, fields, status, words):
    fields.setdefault("service_code", district.category.code)
    resp = post_request(client, api_key, **fields)
    assert resp.status_code == status
    [error] = resp.json()
    assert error["code"] == status and words in error["description"]
    assert not Ticket.objects.exists()
    xml = client.post("/open311/v2/requests.xml", {"api_key": "wrong"})
    assert ElementTree.fromstring(xml.content).find("error/code").text == "403"


@pytest.mark.django_db
def test_get_errors(client, district):
    assert client.get("/open311/v2/requests/20260302-999999.json").status_code == 404
    assert client.get("/open311/v2/tokens/nope.json").status_code == 404
    bad_date = client.get("/open311/v2/requests.json?start_date=yesterday")
    assert bad_date.status_code == 400 and "start_date" in bad_date.json()[0]["description"]
    assert client.get("/open311/v2/requests.json?status=pending").status_code == 400
    long_range = "start_date=2026-01-01T00:00:00Z&end_date=2026-06-01T00:00:00Z"
    assert client.get(f"/open311/v2/requests.json?{long_range}").status_code == 400


@pytest.mark.django_db(transaction=True)
def test_georeport_client_against_live_server(live_server, district, api_key):
    client = GeoReport(f"{live_server.url}/open311/v2")
    services = client.get_service_list()
    assert district.category.code in {s["service_code"] for s in services}
    definition = client.get_service_definition(district.category.code)
    assert definition["service_code"] == district.category.code
    resp = requests.post(f"{live_server.url}/open311/v2/requests.json", data={
        "api_key": api_key, "service_code": district.category.code, "address_string": "琶洲街道新港东路 88 号",
        "description": "井盖松动，车辆经过响声很大"}, timeout=10)
    assert resp.status_code == 200, resp.text
    number = resp.json()[0]["service_request_id"]
    found = client.get_service_request(number)
    # published: the street found from the address, never the address itself
    assert found["service_request_id"] == number and found["address"] == "琶洲街道"
    assert [r["service_request_id"] for r in client.get_service_requests(service_request_id=number)] == [number]
    xml_client = GeoReport(f"{live_server.url}/open311/v2", output_format="xml")
    assert xml_client.get_service_request(number)["service_request_id"] == number
