"""`youhu apikey create --user USERNAME [--name ...]` prints a new key; `youhu apikey revoke PREFIX`."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from youhu.access.keys import create_api_key, revoke_api_key
from youhu.access.models import ApiKey
from youhu.directory.models import User


class Command(BaseCommand):
    help = "Create, list or revoke API keys (the secret is printed once and stored only as a hash)."

    def add_arguments(self, parser) -> None:
        sub = parser.add_subparsers(dest="op", required=True)
        create = sub.add_parser("create", help="create a key and print it")
        create.add_argument("--user", required=True)
        create.add_argument("--name", default="")
        revoke = sub.add_parser("revoke", help="revoke a key by its prefix (yh_xxxxxxxx) or the full key")
        revoke.add_argument("key")
        listing = sub.add_parser("list", help="list a user's keys")
        listing.add_argument("--user", required=True)

    def handle(self, *args, op: str, **options) -> None:
        if op == "create":
            user = self._user(options["user"])
            new = create_api_key(user, name=options["name"])
            self.stdout.write(new.secret)
        elif op == "revoke":
            prefix = options["key"].split(".", 1)[0]
            keys = list(ApiKey.objects.filter(prefix=prefix, revoked_at__isnull=True))
            if not keys:
                raise CommandError(f"没有有效的密钥 {prefix}")
            for key in keys:
                revoke_api_key(key)
            self.stdout.write(f"已吊销 {prefix}")
        else:
            for key in ApiKey.objects.filter(user=self._user(options["user"])):
                state = "已吊销" if key.revoked_at else "有效"
                self.stdout.write(f"{key.prefix}\t{state}\t{key.created_at:%Y-%m-%d %H:%M}\t{key.name}")

    @staticmethod
    def _user(username: str) -> User:
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"没有用户 {username}：请在 /admin/ 中创建，或运行 youhu demo load"
                               f" (no user {username}: create one in /admin/ or run `youhu demo load`)")
        return user
