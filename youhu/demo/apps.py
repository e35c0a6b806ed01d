from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "youhu.demo"
    label = "demo"
