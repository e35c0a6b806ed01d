from django.urls import path

from . import views

app_name = "indicators"
urlpatterns = [
    path("", views.ranking, name="ranking"),
    path("score", views.score, name="score"),
    path("entities/<int:pk>/", views.entity, name="entity"),
    path("export.xlsx", views.export, name="export"),
    path("fill/", views.fill, name="fill"),
    path("overdue/", views.overdue, name="overdue"),
    path("tree/", views.tree_page, name="tree"),
]
