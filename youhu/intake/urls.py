from django.urls import path

from . import views

app_name = "intake"
urlpatterns = [
    path("import/", views.import_page, name="import"),
    path("import/<int:pk>/", views.import_result, name="import_result"),
    path("import/<int:pk>/report.csv", views.import_report, name="import_report"),
    path("keys/", views.api_keys, name="api_keys"),
    path("keys/<int:pk>/revoke/", views.revoke_key, name="revoke_key"),
]
