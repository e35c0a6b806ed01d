from django.urls import path

from . import views

app_name = "dashboard"
urlpatterns = [
    path("", views.home, name="home"),
    path("screen/", views.screen, name="screen"),
    path("streets/<int:pk>/", views.street, name="street"),
    path("plotly.js", views.plotly_js, name="plotly_js"),
]
