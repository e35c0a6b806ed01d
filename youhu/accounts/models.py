"""The log of changes to what a staff account may do: its roles, its unit, its groups and permissions, its
superuser and admin-site flags. Who changed whose, when, old -> new; append-only."""

from __future__ import annotations

from django.db import models

from youhu.db.appendonly import AppendOnly
from youhu.directory.models import Role


class RoleChange(AppendOnly):
    APPEND_ONLY = "role changes"

    class Kind(models.TextChoices):
        ROLE = "role", "角色"
        UNIT = "unit", "所属单位"
        GROUP = "group", "用户组"
        PERMISSION = "permission", "单项权限"
        SUPERUSER = "superuser", "超级用户"
        STAFF = "staff", "后台登录"

    class Action(models.TextChoices):
        GRANTED = "granted", "授予"
        REVOKED = "revoked", "撤销"
        CHANGED = "changed", "变更"

    # Names and ids, no foreign keys: the record outlives the accounts it speaks of (a user's deletion
    # revokes its roles, and is logged, on its way out).
    user_pk = models.BigIntegerField("用户 ID", null=True, db_index=True)
    username = models.CharField("用户名", max_length=150)
    kind = models.CharField("变更项", max_length=16, choices=Kind.choices, default=Kind.ROLE)
    role = models.CharField("角色", max_length=24, choices=Role.choices, blank=True, help_text="仅角色变更")
    action = models.CharField("操作", max_length=8, choices=Action.choices)
    old = models.CharField("原值", max_length=255, blank=True)
    new = models.CharField("新值", max_length=255, blank=True)
    by_username = models.CharField("操作人用户名", max_length=150, blank=True, help_text="空：由程序或命令完成")
    at = models.DateTimeField("时间", auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = verbose_name_plural = "角色变更记录"

    def __str__(self) -> str:
        return f"{self.username} {self.get_kind_display()}：{self.old or '—'} → {self.new or '—'}"
