"""Property: whatever a client sends to /api/enterprise, the answer is 2xx/4xx, never a 500."""

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

FIELDS = ["name", "uscc", "industry", "size", "address", "street_id", "building_id", "contacts",
          "visited_on", "people_met", "topics", "notes", "plan_id", "issues", "officer", "reason",
          "planned_on", "purpose", "title", "content", "category_id", "urgency"]
scalars = (st.none() | st.booleans() | st.integers(min_value=-(2**80), max_value=2**80)
           | st.floats(allow_nan=True, allow_infinity=True) | st.text(max_size=100)
           | st.sampled_from(["91350100M000100Y43", "2026-01-05", "2099-01-01", "cso_a", "\x00", "urgent", ""]))
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=3)
                      | st.dictionaries(st.sampled_from(FIELDS), inner, max_size=4), max_leaves=8)
bodies = st.dictionaries(st.sampled_from(FIELDS), values, max_size=8) | values
FUZZ = settings(max_examples=40, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


@pytest.fixture
def api(client, zone):
    zone.company("琶洲示例一号公司", officer=zone.cso_a)
    client.force_login(zone.district.admin)
    return client


@FUZZ
@given(path=st.sampled_from(["companies", "companies/{id}/visits", "companies/{id}/officer",
                             "companies/{id}/plans", "companies/99999999999999999999/visits"]),
       body=bodies)
def test_posts_never_500(api, zone, path, body):
    from youhu.enterprise.models import Company

    url = "/api/enterprise/" + path.format(id=Company.objects.order_by("id").first().pk)
    response = api.post(url, json.dumps(body, allow_nan=True), content_type="application/json")
    assert response.status_code < 500, response.content


@FUZZ
@given(query=st.dictionaries(st.sampled_from(["q", "limit", "offset", "start", "end"]),
                             st.text(max_size=20) | st.integers(min_value=-(2**70), max_value=2**70).map(str),
                             max_size=4))
def test_reads_never_500(api, query):
    assert api.get("/api/enterprise/companies", query).status_code < 500
    assert api.get("/api/enterprise/figures", query).status_code < 500
