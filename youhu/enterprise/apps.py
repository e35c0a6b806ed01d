from django.apps import AppConfig


class EnterpriseConfig(AppConfig):
    name = "youhu.enterprise"
    label = "enterprise"
