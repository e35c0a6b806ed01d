from django.apps import AppConfig


class DirectoryConfig(AppConfig):
    name = "youhu.directory"
    label = "directory"
