from django.urls import path

from . import views

app_name = "supervision"
urlpatterns = [
    path("", views.home, name="home"),
    path("ranking/", views.ranking, name="ranking"),
    path("report.xlsx", views.report, name="report"),
    path("overdue/", views.overdue, name="overdue"),
    path("extensions/", views.extensions, name="extensions"),
    path("replies/", views.replies, name="replies"),
    path("tickets/<int:pk>/escalate", views.escalate, name="escalate"),
    path("tickets/<int:pk>/send-back", views.send_back, name="send_back"),
    path("tickets/<int:pk>/release", views.release, name="release"),
    path("extensions/<int:pk>/decide", views.decide_extension, name="decide_extension"),
    path("tickets.csv", views.export_csv, name="export_csv"),
]
