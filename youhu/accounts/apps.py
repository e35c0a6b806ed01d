from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "youhu.accounts"
    verbose_name = "账号安全"

    def ready(self) -> None:
        from . import signals  # noqa: F401  (connects the role-change log)
