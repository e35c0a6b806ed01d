from django.apps import AppConfig


class NotifyConfig(AppConfig):
    name = "youhu.notify"
    label = "notify"
    verbose_name = "消息通知"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from . import texts
        from .models import Template

        # A template edited in this process applies at once (others re-read within texts._TTL).
        post_save.connect(lambda **kw: texts.forget(), sender=Template, weak=False)
        post_delete.connect(lambda **kw: texts.forget(), sender=Template, weak=False)
