from django.apps import AppConfig


class DispatchConfig(AppConfig):
    name = "youhu.dispatch"
    label = "dispatch"
