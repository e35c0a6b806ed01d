"""API keys: `<prefix>.<secret>`; the database keeps only the SHA-256 of the whole key."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from youhu import clock
from youhu.directory.models import User

from .models import ApiKey

KEY_PREFIX = "yh_"


@dataclass
class NewKey:
    api_key: ApiKey
    secret: str  # shown once, never stored


def hash_key(raw: str) -> str:
    return hashlib.sha256(raw.strip().encode()).hexdigest()


def new_key_material() -> tuple[str, str, str]:
    """(full key, prefix, hash)."""
    prefix = KEY_PREFIX + secrets.token_hex(4)
    raw = f"{prefix}.{secrets.token_urlsafe(32)}"
    return raw, prefix, hash_key(raw)


def create_api_key(user: User, *, name: str = "") -> NewKey:
    raw, prefix, digest = new_key_material()
    key = ApiKey.objects.create(user=user, name=name[:64], prefix=prefix, key_hash=digest, created_at=clock.now())
    return NewKey(api_key=key, secret=raw)


def revoke_api_key(key: ApiKey) -> ApiKey:
    if key.revoked_at is None:
        key.revoked_at = clock.now()
        key.save(update_fields=["revoked_at"])
    return key


def user_for_key(raw: str | None) -> User | None:
    """The active user owning this key, or None (unknown, revoked or inactive user)."""
    if not raw or len(raw) > 200:
        return None
    key = ApiKey.objects.select_related("user").filter(key_hash=hash_key(raw), revoked_at__isnull=True).first()
    if key is None or not key.user.is_active:
        return None
    return key.user
