from django.apps import AppConfig


class EscalationConfig(AppConfig):
    name = "youhu.escalation"
    label = "escalation"
