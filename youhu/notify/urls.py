from django.urls import path

from . import views

app_name = "notify"
urlpatterns = [path("<str:code>", views.short, name="short")]
