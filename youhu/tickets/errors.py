"""Errors raised by ticket services. Each names the problem so the caller can show it as is."""

from __future__ import annotations

from typing import Any

from ninja import Schema


class TicketError(Exception):
    """Base class. `field` names the input at fault, when one is."""

    http_status = 400
    code = "invalid"

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field

    def as_dict(self) -> dict:
        return {"code": self.code, "message": self.message, "field": self.field}


class InvalidInput(TicketError):
    code = "invalid_input"


class InvalidTransition(TicketError):
    http_status = 409
    code = "invalid_transition"


class NotAllowed(TicketError):
    http_status = 403
    code = "not_allowed"


class Conflict(TicketError):
    http_status = 409
    code = "conflict"


class ErrorOut(Schema):
    """The JSON API's one error body (as_dict above, and the API's handlers for schema and HTTP errors)."""

    code: str
    message: str
    field: str | None = None
    detail: list[dict[str, Any]] | None = None  # a schema error's every problem, as pydantic reports them
