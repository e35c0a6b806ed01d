from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    name = "youhu.supervision"
    label = "supervision"
