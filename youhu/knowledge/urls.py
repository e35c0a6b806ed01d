from django.urls import path

from . import views

app_name = "knowledge"
urlpatterns = [
    path("<str:number>/answer/", views.answer, name="answer"),
]
