"""Schemathesis over the whole OpenAPI document: every operation, with generated parameters and bodies,
as a logged-in administrator (who may reach every endpoint), answers without a 5xx.

In process through the WSGI application (the project's own, middleware and all), in the test's database
transaction: what the cases store is rolled back with the test. Examples are bounded and derandomized so
that the run is the same on every machine and stays short on SQLite and PostgreSQL.
"""

from __future__ import annotations

import zlib
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import Client
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error

from youhu import clock
from youhu.api import api
from youhu.enterprise.models import Company
from youhu.enterprise.uscc import with_check_character
from youhu.projects import services as projects
from youhu.wsgi import application

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

# Dates the schema allows and Python's calendar barely holds (a filter's "day after" or "90 days before"
# steps past them) come up as often as ordinary ones, not once in many thousand draws.
EDGE_DAYS = [date(1, 1, 1), date(1999, 12, 31), date(2000, 1, 1), date(2100, 12, 31), date(2101, 1, 1),
             date(9999, 12, 31)]
schemathesis.openapi.format("date", (st.sampled_from(EDGE_DAYS) | st.dates()).map(date.isoformat))
schemathesis.openapi.format("date-time", (st.sampled_from(EDGE_DAYS).map(
    lambda d: datetime(d.year, d.month, d.day, tzinfo=UTC)) | st.datetimes(timezones=st.just(UTC)))
    .map(datetime.isoformat))

# The document as the app serves it at /api/openapi.json (the same call), without an HTTP round trip.
schema = schemathesis.openapi.from_dict(api.get_openapi_schema(path_prefix="/api"))
CSRF = "s" * 32  # a fixed CSRF secret: the cookie and the header carry the same one, as a browser's would


@pytest.fixture
def records(district) -> dict[str, str]:
    """A district with tickets in several states, a company and a key project, so that lists have rows to
    show and path parameters can name real records: path parameter -> a value that exists."""
    tickets = [district.ticket_in(status) for status in ("new", "dispatched", "handling", "replied")]
    company = Company.objects.create(name="广州测试科技有限公司", uscc=with_check_character("91440105YHT000001"),
                                     created_at=clock.now(), updated_at=clock.now())
    project = projects.save_project(projects.ProjectData(
        code="P-001", name="测试项目", kind="industry", stage="building", lead_unit=district.roads,
        total_investment=Decimal(1000), street=district.street), by=district.admin)[0]
    return {"number": tickets[2].number, "company_id": str(company.pk), "code": project.code}


@pytest.fixture
def session_cookies(district) -> dict[str, str]:
    """The administrator's logged-in session (every router accepts it; the key routers accept keys too)."""
    client = Client()
    client.force_login(district.admin)
    return {"sessionid": client.cookies["sessionid"].value, "csrftoken": CSRF}


def _aim_at_records(case, records: dict[str, str]) -> None:
    """Half the cases (by a stable hash of what was generated) name the real record instead: generated
    numbers and ids almost never exist, and the handlers past the 404 deserve the same inputs."""
    params = case.path_parameters or {}
    if zlib.crc32(repr(sorted(params.items())).encode()) % 2:
        for name in params.keys() & records.keys():
            params[name] = records[name]


@pytest.fixture
def in_test_transaction():
    """The WSGI handler closes a connection at the end of each request; inside the test's transaction that
    would end it. Django's own test client disconnects the same receiver for the same reason."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def served(environ, start_response):
    """The app as a WSGI server hands it requests: a server always names the peer, which the public reads'
    rate limits key on; schemathesis's in-process client leaves REMOTE_ADDR empty."""
    environ["REMOTE_ADDR"] = environ.get("REMOTE_ADDR") or "127.0.0.1"
    return application(environ, start_response)


@schema.parametrize()
@settings(max_examples=20, deadline=None, derandomize=True, database=None,
          suppress_health_check=list(HealthCheck))
def test_no_operation_answers_5xx(case, records, session_cookies, in_test_transaction):
    _aim_at_records(case, records)
    response = case.call(app=served, cookies=session_cookies,
                         headers={"X-CSRFToken": CSRF, "Referer": "http://localhost/"})
    case.validate_response(response, checks=[not_a_server_error])
