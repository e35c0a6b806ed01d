"""`youhu demo load [--tickets N]` loads the demo district (idempotent); `youhu demo logins` lists its users."""

from __future__ import annotations

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.test.utils import override_settings

from youhu.demo import district as d
from youhu.demo.loader import DEFAULT_TICKETS, load_demo
from youhu.demo.simulate import SCENARIOS
from youhu.directory.models import Role, User

PHASES = {"reference": "基础数据", "tickets": "工单", "extras": "其他模块", "city": "市级与越秀区"}


class Command(BaseCommand):
    help = "演示数据：load 导入海珠区演示数据（可重复执行）；logins 列出演示账号"

    def needs_migrated_database(self, args: list[str]) -> bool:
        """`load` migrates the database itself (youhu.cli); `logins` reads it."""
        return "load" not in args

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        load = sub.add_parser("load", help="导入演示数据")
        load.add_argument("--tickets", type=int, default=DEFAULT_TICKETS, help="演示工单数（默认 2000）")
        logins = sub.add_parser("logins", help="列出演示账号")
        logins.add_argument("--all", action="store_true", help="列出全部单位账号")

    def handle(self, *args, action: str, **options) -> None:
        if action == "load":
            self._load(options["tickets"])
        else:
            self._logins(options["all"])

    def _load(self, tickets: int) -> None:
        # With DEBUG on, Django logs every SQL statement: about a sixth of the load's CPU time, for a
        # log nobody reads in this one-off process.
        # The demo is the first thing a new user runs: on a fresh database it creates the schema first.
        if 0 < tickets < len(SCENARIOS) or tickets < 0:
            raise CommandError(f"--tickets 须为 0 或至少 {len(SCENARIOS)} (0 or at least {len(SCENARIOS)}: one ticket per "
                               "scenario of the simulated history)")
        call_command("migrate", interactive=False, verbosity=0)
        with override_settings(DEBUG=False):
            summary = load_demo(tickets)
        ref = summary.reference
        self.stdout.write(
            f"演示数据（海珠区）：新建街道 {ref['streets']}、社区 {ref['communities']}、单位 {ref['units']}、"
            f"分类 {ref['categories']}、用户 {ref['users']}；"
            f"新建工单 {sum(v for k, v in summary.tickets.items() if k != 'skipped')}，"
            f"已存在 {summary.tickets['skipped']}；用时 {summary.seconds:.1f} 秒"
            f"（{'，'.join(f'{PHASES[k]} {v:.1f}' for k, v in summary.phases.items())}）。"
        )
        for spec in summary.extras:
            self.stdout.write(f"  另已导入：{spec}")

    def _logins(self, show_all: bool) -> None:
        users = {u.username: u for u in User.objects.select_related("unit").prefetch_related("role_grants")}
        names = [n for n in d.FEATURED_USERNAMES if n in users]
        if show_all:
            names += sorted(n for n in users if n not in names)
        if not names:
            self.stdout.write("尚无演示账号，请先运行 youhu demo load (no demo users yet: run `youhu demo load` first)")
            return
        rows = [("用户名", "密码", "角色", "单位")]
        for name in names:
            user = users[name]
            password = d.ADMIN_PASSWORD if name == d.ADMIN_USERNAME else d.DEMO_PASSWORD
            roles = "、".join(Role(r).label for r in sorted(user.roles))
            rows.append((name, password, roles, str(user.unit or "")))
        self.stdout.write(_table(rows))
        self.stdout.write(
            "管理员（admin）和督办员（supervisor1 等）登录时还需输入动态验证码：另开终端运行 "
            "`.venv/bin/youhu otp code --user supervisor1` 显示当前验证码（每 30 秒更新）。"
        )
        if not show_all:
            self.stdout.write(
                f"各职能部门、街道办另有账号：承办人为单位简拼（如 zjj、cgj、pazhou），负责人加 _head，"
                f"密码均为 {d.DEMO_PASSWORD}。全部账号：youhu demo logins --all"
            )


def _width(text: str) -> int:
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def _table(rows: list[tuple[str, ...]]) -> str:
    widths = [max(_width(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = []
    for index, row in enumerate(rows):
        lines.append("  ".join(cell + " " * (widths[i] - _width(cell)) for i, cell in enumerate(row)).rstrip())
        if index == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)
