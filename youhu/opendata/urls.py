from django.urls import path

from . import views

app_name = "opendata"
urlpatterns = [
    path("", views.home, name="home"),
    path("figures.csv", views.figures_csv, name="figures_csv"),
    path("streets.geojson", views.streets, name="streets"),
]
