"""The log of role changes: who gained or lost which role, when, and by whose hand."""

from __future__ import annotations

from django.db import models

from youhu.directory.models import Role


class RoleChange(models.Model):
    class Action(models.TextChoices):
        GRANTED = "granted", "授予"
        REVOKED = "revoked", "撤销"

    # Names and ids, no foreign keys: the record outlives the accounts it speaks of (a user's deletion
    # revokes its roles, and is logged, on its way out).
    user_pk = models.BigIntegerField("用户 ID", null=True, db_index=True)
    username = models.CharField("用户名", max_length=150)
    role = models.CharField("角色", max_length=24, choices=Role.choices)
    action = models.CharField("操作", max_length=8, choices=Action.choices)
    by_username = models.CharField("操作人用户名", max_length=150, blank=True, help_text="空：由程序或命令完成")
    at = models.DateTimeField("时间", auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = verbose_name_plural = "角色变更记录"

    def __str__(self) -> str:
        return f"{self.username} {self.get_action_display()} {self.get_role_display()}"
