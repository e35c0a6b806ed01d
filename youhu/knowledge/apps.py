from django.apps import AppConfig


class KnowledgeConfig(AppConfig):
    name = "youhu.knowledge"
    verbose_name = "知识库"
