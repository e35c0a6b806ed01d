from django.apps import AppConfig


class DashboardConfig(AppConfig):
    name = "youhu.dashboard"
    label = "dashboard"
