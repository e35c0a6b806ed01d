from django.urls import path

from . import portal

app_name = "portal"
urlpatterns = [
    path("", portal.submit, name="submit"),
    path("done/", portal.done, name="done"),
    path("track/", portal.track, name="track"),
    path("track/<str:number>/", portal.detail, name="detail"),
    path("track/<str:number>/review/", portal.review, name="review"),
]
