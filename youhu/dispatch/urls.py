from django.urls import path

from . import model_views, views

app_name = "dispatch"
urlpatterns = [
    path("", views.queue, name="queue"),
    path("batch/", views.batch, name="batch"),
    path("model/", model_views.health, name="model_health"),
    path("model/labels/", model_views.label_reviews, name="label_reviews"),
    path("model/labels/<int:pk>/", model_views.decide_label, name="decide_label"),
    path("<str:number>/pane/", views.pane, name="pane"),
    path("<str:number>/dispatch/", views.dispatch, name="dispatch"),
    path("<str:number>/merge/", views.merge, name="merge"),
    path("<str:number>/locate/", views.locate, name="locate"),
    path("<str:number>/retriage/", views.retriage, name="retriage"),
]
