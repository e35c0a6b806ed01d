"""Property: whatever a client sends, the API answers with a 2xx/4xx, never a 500."""

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

FIELDS = ["title", "content", "appeal_type", "urgency", "channel", "category", "appellant_name",
          "appellant_phone", "address", "street", "community", "lat", "lon", "external_id",
          "reason", "text", "note", "unit", "co_units", "into", "working_days", "extension", "approve",
          "resolved", "satisfaction", "comment"]
ACTIONS = ["register", "dispatch", "accept", "reply", "review", "merge", "transfer", "request_extension",
           "decide_extension", "supervise", "release_reply", "nonsense"]

scalars = (st.none() | st.booleans() | st.integers(min_value=-(2**80), max_value=2**80)
           | st.floats(allow_nan=True, allow_infinity=True) | st.text(max_size=300)
           | st.sampled_from(["C0001", "C99999999999", "20260302-000001", "complaint", "urgent", "web",
                              "satisfied", "\x00", "1e309", ""]))
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4)
                      | st.dictionaries(st.text(max_size=8), inner, max_size=4), max_leaves=8)
bodies = st.dictionaries(st.sampled_from(FIELDS), values, max_size=8) | values
FUZZ = settings(max_examples=60, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


def _send(client, url, body):
    raw = body if isinstance(body, bytes) else json.dumps(body, allow_nan=True)
    return client.post(url, raw, content_type="application/json")


@pytest.mark.django_db
@FUZZ
@given(body=bodies)
def test_create_never_500(dispatcher_api, body):
    assert _send(dispatcher_api, "/api/tickets", body).status_code < 500


@pytest.mark.django_db
@FUZZ
@given(action=st.sampled_from(ACTIONS), body=bodies, number=st.sampled_from(["", "x", "20260302-000001"]))
def test_actions_never_500(district, api_as, action, body, number):
    ticket = district.ticket_in("handling") if not number else None
    client = api_as(district.dispatcher)
    target = ticket.number if ticket else number
    assert _send(client, f"/api/tickets/{target}/actions/{action}", body).status_code < 500


@pytest.mark.django_db
@FUZZ
@given(query=st.dictionaries(st.sampled_from(["status", "channel", "unit", "category", "street", "created_from",
                                              "created_to", "page", "page_size"]),
                             st.text(max_size=30) | st.integers().map(str), max_size=5),
       raw=st.binary(max_size=200))
def test_list_and_raw_bytes_never_500(dispatcher_api, query, raw):
    assert dispatcher_api.get("/api/tickets", query).status_code < 500
    assert _send(dispatcher_api, "/api/tickets", raw).status_code < 500


OPEN311_FIELDS = ["service_code", "lat", "long", "address_string", "description", "first_name", "last_name",
                  "phone", "attribute[appeal_type]", "attribute[urgency]"]
form_values = st.text(max_size=60) | st.sampled_from(["C0001", "23.1", "nan", "inf", "-1e400", "", "\x00", "urgent"])


@pytest.mark.django_db
@FUZZ
@given(form=st.dictionaries(st.sampled_from(OPEN311_FIELDS), form_values, max_size=8),
       query=st.dictionaries(st.sampled_from(["service_request_id", "service_code", "start_date", "end_date",
                                              "status"]), form_values, max_size=4),
       fmt=st.sampled_from(["json", "xml"]))
def test_open311_never_500(client, district, form, query, fmt):
    from youhu.access.keys import create_api_key

    form = {**form, "api_key": create_api_key(district.dispatcher).secret}
    assert client.post(f"/open311/v2/requests.{fmt}", form).status_code < 500
    assert client.get(f"/open311/v2/requests.{fmt}", query).status_code < 500
