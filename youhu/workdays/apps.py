from django.apps import AppConfig


class WorkdaysConfig(AppConfig):
    name = "youhu.workdays"
    label = "workdays"
