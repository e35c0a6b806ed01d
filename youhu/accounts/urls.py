from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("verify/", views.verify, name="verify"),
    path("enrol/", views.enrol, name="enrol"),
    path("security/", views.security, name="security"),
    path("security/disable/", views.disable, name="disable"),
    path("password/", views.PasswordChangeView.as_view(), name="password_change"),
]
