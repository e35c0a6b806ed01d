"""`youhu otp code --user NAME`: the current second-factor code of a demo account; `youhu otp key --user NAME`:
its key, to add the account to an authenticator app. Published demo keys only: a real user's key never leaves
the database."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser

from youhu.accounts import secondfactor
from youhu.accounts.demo import is_demo_device
from youhu.directory.models import User


class Command(BaseCommand):
    help = "动态验证码：code 显示演示账号当前的验证码；key 显示其密钥，可加入身份验证器（仅限演示密钥）"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        code = sub.add_parser("code", help="显示演示账号当前的动态验证码")
        code.add_argument("--user", required=True, help="用户名，如 supervisor1、admin")
        key = sub.add_parser("key", help="显示演示账号的密钥和 otpauth 链接")
        key.add_argument("--user", required=True, help="用户名，如 supervisor1、admin")

    def handle(self, *args, action: str, user: str, **options) -> None:
        account = User.objects.filter(username=user).first()
        device = secondfactor.confirmed_device(account) if account else None
        if device is None:
            raise CommandError(f"账号 {user} 没有已启用的动态验证码 (no confirmed second factor for {user})")
        if not is_demo_device(device):
            raise CommandError(f"账号 {user} 使用的不是演示密钥，不能在此显示 (not a demo key)")
        if action == "code":
            self.stdout.write(secondfactor.current_code(device))
        else:
            self.stdout.write(f"密钥 (key): {secondfactor.secret_text(device)}\n{device.config_url}")
