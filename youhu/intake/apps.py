from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "youhu.intake"
    label = "intake"
