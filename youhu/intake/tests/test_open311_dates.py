"""Open311's start_date / end_date at the calendar's edges: a 400 in Open311's error list, not a 500
(issue 19, point 5). A separate file: the rest of Open311's tests are being rewritten beside this."""

import pytest

from youhu import clock

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("query", ["end_date=0001-01-01T00:00:00Z", "start_date=9999-12-31T00:00:00Z",
                                   "start_date=0001-01-01T00:00:00Z", "end_date=9999-12-31T23:59:59-12:00",
                                   "start_date=1999-12-31T00:00:00Z&end_date=2000-01-02T00:00:00Z"])
@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_dates_outside_the_span_are_an_open311_400(client, district, query, fmt):
    client.raise_request_exception = False
    response = client.get(f"/open311/v2/requests.{fmt}?{query}")
    assert response.status_code == 400, response.content[:300]
    if fmt == "json":
        [error] = response.json()
        assert error["code"] == 400 and clock.SPAN_MESSAGE in error["description"]


def test_the_span_s_last_day_is_answered(client, district):
    assert client.get("/open311/v2/requests.json?start_date=2100-12-01T00:00:00Z").status_code == 200
