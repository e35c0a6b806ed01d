"""`youhu otp code --user NAME`: the current second-factor code of a demo account (published keys only)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser

from youhu.accounts import secondfactor
from youhu.accounts.demo import is_demo_device
from youhu.directory.models import User


class Command(BaseCommand):
    help = "动态验证码：code 显示演示账号当前的验证码（仅限演示密钥）"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        code = sub.add_parser("code", help="显示演示账号当前的动态验证码")
        code.add_argument("--user", required=True, help="用户名，如 supervisor1、admin")

    def handle(self, *args, action: str, user: str, **options) -> None:
        account = User.objects.filter(username=user).first()
        device = secondfactor.confirmed_device(account) if account else None
        if device is None:
            raise CommandError(f"账号 {user} 没有已启用的动态验证码 (no confirmed second factor for {user})")
        if not is_demo_device(device):
            # A real user's key never leaves the database: only the demo's published keys are shown.
            raise CommandError(f"账号 {user} 使用的不是演示密钥，不能在此显示验证码 (not a demo key)")
        self.stdout.write(secondfactor.current_code(device))
