"""The JSON API: one NinjaAPI, one router per room, one error format."""

import json
import logging
import re
from typing import Any

from ninja import NinjaAPI
from ninja.constants import NOT_SET
from ninja.errors import HttpError, ValidationError
from ninja.parser import Parser

from youhu.dashboard.api import router as dashboard_router
from youhu.enterprise.api import router as enterprise_router
from youhu.indicators.api import router as indicators_router
from youhu.intake.portal_api import router as portal_router
from youhu.projects.api import router as projects_router
from youhu.supervision.api import router as supervision_router
from youhu.tickets.errors import ErrorOut, TicketError
from youhu.workflow.api import router as tickets_router

logger = logging.getLogger(__name__)


class UnreadableBody(ValueError):
    """A request body that is not JSON text in UTF-8 (ninja answers it 400; the message says why)."""


# A \uD800-\uDFFF escape: only a body that has one can hold a lone surrogate once parsed.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


class StrictJsonParser(Parser):
    """JSON bodies as RFC 8259 has them: UTF-8, and no lone surrogate ("\\ud800"). Python's json takes
    both, and the string then fails at the database or the response, as a 500 after part of the work."""

    def parse_body(self, request) -> Any:
        try:
            text = request.body.decode("utf-8")  # strict: json.loads(bytes) would let surrogates through
            data = json.loads(text)
            if _SURROGATE_ESCAPE.search(text):  # rare: checked only then (pairs are fine, lone ones are not)
                json.dumps(data, ensure_ascii=False).encode("utf-8")
        except UnicodeError as exc:
            raise UnreadableBody("请求体须为 UTF-8 编码的 JSON，且不能含孤立的代理字符（如 \\ud800）") from exc
        except ValueError as exc:
            raise UnreadableBody(f"请求体不是有效的 JSON：{exc}"[:200]) from exc
        return data


def install_error_handlers(api) -> None:
    """Every error of the JSON API as {code, message, field}; schema errors are 400 (as Open311 and the
    import report) and keep ninja's `detail` too."""
    def ticket_error(request, exc: TicketError):
        return api.create_response(request, exc.as_dict(), status=exc.http_status)

    def validation_error(request, exc: ValidationError):
        first = exc.errors[0] if exc.errors else {}
        loc = [str(p) for p in first.get("loc", []) if p not in ("body", "payload", "query", "path", "filters")]
        return api.create_response(request, {
            "code": "invalid_input", "message": f"{'.'.join(loc) or '请求'}：{first.get('msg', '格式不正确')}",
            "field": ".".join(loc) or None, "detail": exc.errors,
        }, status=400)

    def http_error(request, exc: HttpError):
        if isinstance(exc.__cause__, UnreadableBody):  # ninja wraps the parser's error as "Cannot parse ..."
            return api.create_response(request, {"code": "invalid_input", "message": str(exc.__cause__),
                                                 "field": None}, status=400)
        code = {401: "unauthorized", 403: "not_allowed", 404: "not_found", 429: "too_many_requests"}.get(
            exc.status_code, "error")
        return api.create_response(request, {"code": code, "message": str(exc), "field": None},
                                   status=exc.status_code)

    def unencodable(request, exc: UnicodeEncodeError):
        # The net under the parser: text that cannot be stored or sent (a lone surrogate from anywhere).
        return api.create_response(request, {"code": "invalid_input", "field": None,
                                             "message": "请求含有无法编码的字符（如孤立的代理字符）"}, status=400)

    def overflow(request, exc: OverflowError):
        # A number or date no column or calendar holds: SQLite refuses an integer beyond 64 bits while
        # binding it, before the statement runs (PostgreSQL compares it as numeric), and date arithmetic
        # past year 9999 fails the same way. Parameters are bounded where they are read; this is the net.
        logger.warning("API input overflow on %s: %s", request.path, exc)
        return api.create_response(request, {"code": "invalid_input", "field": None,
                                             "message": "数值或日期超出可处理的范围"}, status=400)

    api.add_exception_handler(TicketError, ticket_error)
    api.add_exception_handler(ValidationError, validation_error)
    api.add_exception_handler(HttpError, http_error)
    api.add_exception_handler(UnicodeEncodeError, unencodable)
    api.add_exception_handler(OverflowError, overflow)


def declare_error_responses(api) -> None:
    """Each operation's OpenAPI entry lists the errors it can answer, in the one error format, without
    every endpoint repeating them: 400 when it reads a parameter or a body (schema errors, a service's
    InvalidInput), 401 and 403 behind a login (no or a wrong key; a role the endpoint refuses, or a
    session's missing CSRF token), 404 when its path names a record. Codes an endpoint declares itself
    (409, 422, ...) stay as it says."""
    for _prefix, router in api._routers:
        for path_view in router.path_operations.values():
            for operation in path_view.operations:
                codes = []
                if operation.models:  # any query, path or body parameter
                    codes.append(400)
                if operation.auth_param not in (None, NOT_SET) or router.auth not in (None, NOT_SET):
                    codes += [401, 403]
                if any(model.__ninja_param_source__ == "path" for model in operation.models):
                    codes.append(404)
                for code in codes:
                    if code not in operation.response_models:
                        operation.response_models[code] = operation._create_response_model(ErrorOut)


api = NinjaAPI(title="Youhu API", version="1", urls_namespace="api", parser=StrictJsonParser())
install_error_handlers(api)  # TicketError etc. as {code, message, field}
api.add_router("/tickets", tickets_router)
api.add_router("/supervision", supervision_router)
api.add_router("/enterprise", enterprise_router)
api.add_router("/dashboard", dashboard_router)
api.add_router("/projects", projects_router)
api.add_router("/indicators", indicators_router)
api.add_router("/portal", portal_router)
declare_error_responses(api)  # after every router: the operations are theirs
