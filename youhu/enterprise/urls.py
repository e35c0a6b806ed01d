from django.urls import path

from . import views

app_name = "enterprise"
urlpatterns = [
    path("", views.home, name="home"),
    path("companies/<int:pk>/", views.company_detail, name="company"),
    path("companies/<int:pk>/assign/", views.company_assign, name="assign"),
    path("companies/<int:pk>/plan/", views.company_plan, name="plan"),
    path("companies/<int:pk>/visit/", views.visit_new, name="visit_new"),
    path("demands/<str:number>/", views.demand_detail, name="demand"),
    path("import/", views.import_page, name="import"),
    path("figures/", views.figures, name="figures"),
    path("portal/", views.portal, name="portal"),
]
