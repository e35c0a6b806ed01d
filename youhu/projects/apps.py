from django.apps import AppConfig


class ProjectsConfig(AppConfig):
    name = "youhu.projects"
    verbose_name = "重点项目"
