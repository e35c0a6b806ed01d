from django.apps import AppConfig


class AccessConfig(AppConfig):
    name = "youhu.access"
    label = "access"
    verbose_name = "接口访问"
