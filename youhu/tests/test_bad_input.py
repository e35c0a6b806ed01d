"""Input at the edges of what Python can hold (year 1 or 9999, "²", a lone surrogate) is a 400 with the
API's error JSON, or a page's form error, never a 500 (issue 19, point 5)."""

import json

import pytest

from youhu import clock

pytestmark = pytest.mark.django_db

API_DATES = [
    "/api/tickets?created_from=0001-01-01",
    "/api/tickets?created_to=9999-12-31",
    "/api/supervision/metrics?month=0001-01",
    "/api/supervision/metrics?month=9999-12",
    "/api/supervision/ranking?month=0001-01",
    "/api/supervision/ranking?month=9999-12",
    "/api/enterprise/figures?start=0001-01-01&end=0001-01-05",
    "/api/enterprise/figures?start=9999-12-01&end=9999-12-31",
    "/api/enterprise/figures?start=0001-01-01&end=9999-12-31",
]


@pytest.fixture
def staff(client, district):
    client.raise_request_exception = False  # a 500 is an answer here, to be asserted on
    client.force_login(district.admin)
    return client


def _error_json(response) -> dict:
    assert response.status_code == 400, response.content[:300]
    body = response.json()
    assert body["code"] == "invalid_input" and body["message"]
    return body


@pytest.mark.parametrize("url", API_DATES)
def test_api_dates_outside_the_span_are_400(staff, url):
    body = _error_json(staff.get(url))
    assert "2000" in body["message"] and "2100" in body["message"]


@pytest.mark.parametrize("url", ["/api/supervision/metrics?month=2000-01", "/api/supervision/ranking?month=2000-01",
                                 "/api/enterprise/figures?start=2000-01-01&end=2100-12-31",
                                 "/api/tickets?created_from=2000-01-01&created_to=2100-12-31"])
def test_the_span_s_own_edges_are_answered(staff, url):
    assert staff.get(url).status_code == 200  # 2000-01's ranking reads 1999-12: its neighbour must work


@pytest.mark.parametrize("url", [
    "/enterprise/figures/?start=0001-01-01&end=0001-01-05",
    "/enterprise/figures/?start=9999-12-01&end=9999-12-31",
    "/supervision/?month=0001-01", "/supervision/?month=9999-12",
    "/supervision/ranking/?month=0001-01", "/supervision/ranking/?month=9999-12",
    "/supervision/report.xlsx?month=9999-12", "/supervision/tickets.csv?month=0001-01",
    "/supervision/?unit=²", "/tickets/?date_from=0001-01-01&date_to=9999-12-31",
])
def test_pages_answer_edge_input_without_a_500(staff, url):
    assert staff.get(url).status_code < 500


def test_figures_page_says_which_years(staff):
    response = staff.get("/enterprise/figures/?start=0001-01-01&end=0001-01-05")
    assert response.status_code == 400
    assert clock.SPAN_MESSAGE in response.content.decode()


def test_inbox_read_with_a_superscript_digit(staff):
    response = staff.post("/inbox/read/", {"id": ["²", "99999999999999999999999", "٣"]})
    assert response.status_code == 302


LONE_SURROGATES = [b'{"title": "\\ud800", "content": "x"}', b'{"title": "x", "content": "\\uDFFF"}',
                   b'{"\\ud800": 1}', '{"title": "\udc80"}'.encode("utf-8", "surrogatepass")]


@pytest.mark.parametrize("body", LONE_SURROGATES)
def test_lone_surrogate_in_a_json_body_is_400(staff, body):
    from youhu.tickets.models import Ticket

    response = staff.post("/api/tickets", body, content_type="application/json")
    assert "代理字符" in _error_json(response)["message"]
    assert not Ticket.objects.exists()  # refused before anything was stored


def test_a_surrogate_pair_is_text(staff):
    response = staff.post("/api/tickets", json.dumps({"title": "笑 😀", "content": "路灯不亮 😀"}),
                          content_type="application/json")
    assert response.status_code == 201, response.content
    assert response.json()["title"] == "笑 😀"


def test_broken_json_uses_the_api_s_error_format(staff):
    assert "JSON" in _error_json(staff.post("/api/tickets", b'{"title": ', content_type="application/json"))["message"]


def test_integers_beyond_a_database_key_are_no_500(staff):
    # SQLite refuses to bind the number (a 400 from the API's net); PostgreSQL compares it and finds nothing.
    response = staff.get("/api/projects/?leader=-12611430930650666893312&unit=-737695")
    if response.status_code != 200:
        assert "超出" in _error_json(response)["message"]
    else:
        assert response.json() == []


def test_an_unknown_filter_record_is_a_field_error(staff):
    body = _error_json(staff.get("/api/supervision/metrics?month=2026-01&unit=999999"))
    assert body["field"] == "unit"
