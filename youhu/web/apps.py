from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "youhu.web"
    label = "web"
