"""The REST list by cursor: every ticket once, in the list's order, with no count; bad cursors are a 400."""

from __future__ import annotations

from datetime import timedelta

import pytest

from youhu.testing.factories import at, make_ticket


@pytest.mark.django_db
def test_cursor_walk_returns_every_ticket_once_in_order(dispatcher_api):
    start = at("2026-03-02 09:30")
    # Two tickets share each moment: the id breaks the tie, so none is skipped or repeated at a page edge.
    made = [make_ticket(title=f"第{i}件", now=start + timedelta(minutes=i // 2)) for i in range(7)]
    expected = [t.number for t in sorted(made, key=lambda t: (t.created_at, t.pk), reverse=True)]
    first = dispatcher_api.get("/api/tickets?page_size=3").json()
    assert first["count"] == 7 and first["next_cursor"]
    seen, body = [t["number"] for t in first["items"]], first
    while body["next_cursor"]:
        body = dispatcher_api.get(f"/api/tickets?page_size=3&cursor={body['next_cursor']}").json()
        assert body["count"] is None
        seen += [t["number"] for t in body["items"]]
    assert seen == expected
    assert dispatcher_api.get("/api/tickets?page_size=7").json()["next_cursor"] is None


@pytest.mark.django_db
@pytest.mark.parametrize("cursor", ["abc", "1_x", "99999999999999999999999_1", "_"])
def test_malformed_cursor_is_a_field_error(dispatcher_api, cursor):
    make_ticket()
    response = dispatcher_api.get(f"/api/tickets?cursor={cursor}")
    assert response.status_code == 400
    assert response.json()["field"] == "cursor"


@pytest.mark.django_db
def test_numbered_pages_stop_at_max_offset_and_point_to_the_cursor(monkeypatch, dispatcher_api):
    from youhu.tickets import search

    made = [make_ticket(title=f"第{i}件", now=at("2026-03-02 09:30") + timedelta(minutes=i)) for i in range(7)]
    monkeypatch.setattr(search, "MAX_OFFSET", 4)
    deepest = dispatcher_api.get("/api/tickets?page_size=2&page=3")  # rows 5 and 6: offset 4, allowed
    assert deepest.status_code == 200
    assert [t["number"] for t in deepest.json()["items"]] == [made[2].number, made[1].number]
    refused = dispatcher_api.get("/api/tickets?page_size=2&page=4")  # offset 6
    assert refused.status_code == 400
    body = refused.json()
    assert body["field"] == "page" and "next_cursor" in body["message"] and "cursor" in body["message"]
    # The cursor still reaches the rows the refused page held.
    cursor = deepest.json()["next_cursor"]
    assert [t["number"] for t in dispatcher_api.get(f"/api/tickets?page_size=2&cursor={cursor}").json()["items"]] \
        == [made[0].number]


@pytest.mark.django_db
def test_openapi_tells_of_the_page_limit_and_the_cursor(client):
    from youhu.tickets.search import MAX_OFFSET

    doc = client.get("/api/openapi.json").json()
    listing = next(op["get"] for path, op in doc["paths"].items() if path.rstrip("/") == "/api/tickets")
    assert "cursor" in listing["description"] and str(MAX_OFFSET) in listing["description"]
    assert "400" in listing["responses"]
    page = next(p for p in listing["parameters"] if p["name"] == "page")
    assert "next_cursor" in page["description"]
