from django.apps import AppConfig


class WorkflowConfig(AppConfig):
    name = "youhu.workflow"
    label = "workflow"
    verbose_name = "办理动作"
