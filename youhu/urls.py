from django.contrib import admin
from django.urls import include, path

from youhu.accounts import views as account_views
from youhu.api import api

urlpatterns = [
    path("admin/login/", account_views.admin_login),  # before the admin: its login is the staff login
    path("admin/", admin.site.urls),
    path("accounts/", include("youhu.accounts.urls")),
    path("api/", api.urls),
    path("open311/", include("youhu.intake.open311_urls")),
    path("portal/", include("youhu.intake.portal_urls")),
    path("open/", include("youhu.opendata.urls")),
    path("dispatch/", include("youhu.dispatch.urls")),
    path("knowledge/", include("youhu.knowledge.urls")),
    path("supervision/", include("youhu.supervision.urls")),
    path("enterprise/", include("youhu.enterprise.urls")),
    path("dashboard/", include("youhu.dashboard.urls")),
    path("projects/", include("youhu.projects.urls")),
    path("indicators/", include("youhu.indicators.urls")),
    path("intake/", include("youhu.intake.urls")),
    path("t/", include("youhu.notify.urls")),
    path("", include("youhu.web.urls")),
]
