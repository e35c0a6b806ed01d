from django.apps import AppConfig


class OpendataConfig(AppConfig):
    name = "youhu.opendata"
    label = "opendata"
    verbose_name = "数据公开"
