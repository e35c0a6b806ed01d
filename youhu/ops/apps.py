from django.apps import AppConfig


class OpsConfig(AppConfig):
    """Operations: backup and restore (`youhu backup`, `youhu restore`); no models."""

    name = "youhu.ops"
    label = "ops"
