"""The JSON API: one NinjaAPI, one router per room, one error format."""

from ninja import NinjaAPI
from ninja.errors import HttpError, ValidationError

from youhu.dashboard.api import router as dashboard_router
from youhu.enterprise.api import router as enterprise_router
from youhu.indicators.api import router as indicators_router
from youhu.intake.portal_api import router as portal_router
from youhu.projects.api import router as projects_router
from youhu.supervision.api import router as supervision_router
from youhu.tickets.errors import TicketError
from youhu.workflow.api import router as tickets_router


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
        code = {401: "unauthorized", 403: "not_allowed", 404: "not_found"}.get(exc.status_code, "error")
        return api.create_response(request, {"code": code, "message": str(exc), "field": None},
                                   status=exc.status_code)

    api.add_exception_handler(TicketError, ticket_error)
    api.add_exception_handler(ValidationError, validation_error)
    api.add_exception_handler(HttpError, http_error)


api = NinjaAPI(title="Youhu API", version="1", urls_namespace="api")
install_error_handlers(api)  # TicketError etc. as {code, message, field}
api.add_router("/tickets", tickets_router)
api.add_router("/supervision", supervision_router)
api.add_router("/enterprise", enterprise_router)
api.add_router("/dashboard", dashboard_router)
api.add_router("/projects", projects_router)
api.add_router("/indicators", indicators_router)
api.add_router("/portal", portal_router)
