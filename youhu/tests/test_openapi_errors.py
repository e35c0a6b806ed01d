"""The OpenAPI document declares the errors each endpoint answers, in the API's one error format, and the
answers keep to it (issue 19, point 5)."""

import pytest

pytestmark = pytest.mark.django_db
ERROR_REF = "#/components/schemas/ErrorOut"


@pytest.fixture
def document(client) -> dict:
    return client.get("/api/openapi.json").json()


def _operations(document):
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            yield path, method, operation


def _error_schema(operation, code: int) -> str | None:
    response = operation["responses"].get(str(code))
    return response and response["content"]["application/json"]["schema"]["$ref"]


def test_every_operation_declares_its_errors(document):
    for path, method, operation in _operations(document):
        if operation.get("security"):  # behind a login
            assert _error_schema(operation, 401) == ERROR_REF, (method, path)
            assert _error_schema(operation, 403) == ERROR_REF, (method, path)
        else:  # the portal's public reads
            assert "401" not in operation["responses"] and "403" not in operation["responses"], (method, path)
        if operation.get("parameters") or operation.get("requestBody"):
            assert _error_schema(operation, 400) == ERROR_REF, (method, path)
        if "{" in path:
            assert _error_schema(operation, 404) == ERROR_REF, (method, path)
        else:
            assert "404" not in operation["responses"], (method, path)


def test_declared_codes_of_an_endpoint_stay(document):
    create = document["paths"]["/api/tickets"]["post"]["responses"]
    assert {"201", "400", "401", "403", "409", "422"} == set(create)
    overdue = document["paths"]["/api/supervision/overdue"]["get"]["responses"]
    assert set(overdue) == {"200", "401", "403"}  # no parameters: no 400
    assert set(document["paths"]["/api/portal/locate"]["get"]["responses"]) == {"200", "400"}  # no login


def test_the_error_schema_is_what_the_handlers_send(client, district, document):
    schema = document["components"]["schemas"]["ErrorOut"]
    assert set(schema["required"]) == {"code", "message"}
    assert set(schema["properties"]) == {"code", "message", "field", "detail"}
    answers = [client.get("/api/supervision/overdue"),  # 401
               client.get("/api/tickets?page=0", HTTP_AUTHORIZATION="Bearer nope")]
    client.force_login(district.handler)
    answers += [client.get("/api/supervision/overdue"), client.get("/api/tickets/20260302-999999"),
                client.get("/api/tickets?page=0")]
    assert [a.status_code for a in answers] == [401, 401, 403, 404, 400]
    for answer in answers:
        assert set(answer.json()) <= set(schema["properties"]) and {"code", "message"} <= set(answer.json())
