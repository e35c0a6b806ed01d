from django.urls import path

from . import views

app_name = "projects"
urlpatterns = [
    path("", views.board, name="board"),
    path("red/", views.red_list, name="red_list"),
    path("<str:code>/", views.detail, name="detail"),
    path("<str:code>/nodes/<int:node_id>/complete/", views.complete, name="complete"),
    path("<str:code>/report/", views.report, name="report"),
    path("<str:code>/problems/", views.problem, name="problem"),
    path("<str:code>/evidence/<int:pk>/", views.evidence, name="evidence"),
    path("<str:code>/photos/<int:pk>/", views.photo, name="photo"),
]
