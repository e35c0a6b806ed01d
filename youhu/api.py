"""The JSON API: one NinjaAPI, one router per domain app."""

from ninja import NinjaAPI

from youhu.dashboard.api import router as dashboard_router
from youhu.enterprise.api import router as enterprise_router
from youhu.intake.api import install_error_handlers
from youhu.intake.api import router as tickets_router
from youhu.projects.api import router as projects_router
from youhu.supervision.api import router as supervision_router

api = NinjaAPI(title="Youhu API", version="1", urls_namespace="api")
install_error_handlers(api)  # TicketError etc. as {code, message, field}
api.add_router("/tickets", tickets_router)
api.add_router("/supervision", supervision_router)
api.add_router("/enterprise", enterprise_router)
api.add_router("/dashboard", dashboard_router)
api.add_router("/projects", projects_router)
